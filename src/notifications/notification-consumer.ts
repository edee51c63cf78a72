/**
 * Consumes loan events from RabbitMQ (its own durable queue bound to `loan.#` and `bulk.#`) and turns
 * each into notifications for the loan's customer logins: an inbox entry (IN_APP) and deliveries to
 * send (EMAIL, SMS, PUSH), per the user's channel preferences, rendered from the event type's
 * template. All in one transaction, unique per (event, user[, channel]): a redelivered event adds
 * nothing, so nobody gets a second message. The message is acknowledged after the commit.
 * Each new inbox entry also records a NotificationCreated outbox event (same transaction): that is
 * what feeds the `notificationReceived` subscription.
 */
import { randomUUID } from 'node:crypto';
import type { Channel as AmqpChannel, ConsumeMessage } from 'amqplib';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { AmqpConsumer } from '../events/amqp-consumer';
import { decodeEvent, type DecodedEvent } from '../events/avro';
import { recordEvent } from '../services/outbox.service';
import { DEFAULT_TEMPLATES, hasTemplate, render, type Template } from './templates';

export const DEFAULT_CHANNELS = ['IN_APP', 'EMAIL'];

export interface NotifiableEvent {
  type: string;
  /** Unique per event (bulk items: `<bulk key>#<n>`). */
  key: string;
  aggregateId: string;
  data: Record<string, any>;
}

/** The notifiable events in a decoded message (a bulk message yields its items). */
export function notifiableEvents(e: DecodedEvent): NotifiableEvent[] {
  const all = e.type === 'BulkBusinessEvent'
    ? (e.data.items as { type: string; data: Record<string, any> }[]).map((it, i) => ({ type: it.type, key: `${e.idempotencyKey}#${i}`, aggregateId: e.aggregateId, data: it.data }))
    : [{ type: e.type, key: e.idempotencyKey, aggregateId: e.aggregateId, data: e.data }];
  return all.filter((x) => hasTemplate(x.type));
}

interface Recipient {
  user_id: string;
  email: string;
  first_name: string;
  last_name: string;
  phone: string | null;
}

export interface NotifyResult {
  inbox: number;
  deliveries: number;
}

/** Writes the notifications of one event (idempotent). Used by the consumer; exported for tests. */
export async function notify(em: EntityManager, config: AppConfig, ev: NotifiableEvent): Promise<NotifyResult> {
  return em.transactional(async (tx) => {
    let customerId: string | undefined = ev.data.customerId;
    if (!customerId) {
      const [loan] = await tx.execute<{ customer_id: string }[]>('select customer_id from loan where id::text = ?', [ev.data.loanId ?? ev.aggregateId]);
      customerId = loan?.customer_id;
    }
    if (!customerId) return { inbox: 0, deliveries: 0 };
    const recipients = await tx.execute<Recipient[]>(
      `select u.id as user_id, u.email, c.first_name, c.last_name, c.phone
         from app_user u join customer c on c.id = u.customer_id
        where u.customer_id = ? and u.active order by u.id`,
      [customerId],
    );
    if (recipients.length === 0) return { inbox: 0, deliveries: 0 };
    const prefs = await tx.execute<{ user_id: string; event_type: string; channels: string[] }[]>(
      `select user_id, event_type, channels from notification_preference where user_id in (select jsonb_array_elements_text(?::jsonb)::uuid) and event_type in (?, '*')`,
      [JSON.stringify(recipients.map((r) => r.user_id)), ev.type],
    );
    const overrides = await tx.execute<{ channel: string; subject: string; body: string }[]>(
      'select channel, subject, body from notification_template where event_type = ?', [ev.type],
    );
    const templateFor = (channel: string): Template =>
      overrides.find((o) => o.channel === channel) ?? overrides.find((o) => o.channel === '*') ?? DEFAULT_TEMPLATES[ev.type];

    let inbox = 0;
    let deliveries = 0;
    for (const r of recipients) {
      const own = prefs.find((p) => p.user_id === r.user_id && p.event_type === ev.type) ?? prefs.find((p) => p.user_id === r.user_id && p.event_type === '*');
      const channels = own?.channels ?? DEFAULT_CHANNELS;
      const vars = { ...ev.data, firstName: r.first_name, lastName: r.last_name, eventType: ev.type };
      for (const channel of channels) {
        const t = templateFor(channel);
        const subject = render(t.subject, vars).slice(0, 200);
        const body = render(t.body, vars);
        if (channel === 'IN_APP') {
          const id = randomUUID();
          const rows = await tx.execute<{ id: string; created_at: Date }[]>(
            `insert into notification (id, user_id, event_key, event_type, loan_id, title, body) values (?, ?, ?, ?, ?, ?, ?)
             on conflict (user_id, event_key) do nothing returning id, created_at`,
            [id, r.user_id, ev.key, ev.type, ev.data.loanId ?? null, subject, body],
          );
          if (rows.length) {
            inbox++;
            await recordEvent(tx, {
              type: 'NotificationCreated', aggregateType: 'User', aggregateId: r.user_id, idempotencyKey: `notification-${id}`,
              data: { notificationId: id, userId: r.user_id, eventType: ev.type, loanId: ev.data.loanId ?? null, title: subject, body, createdAt: new Date(rows[0].created_at).toISOString() },
            });
          }
          continue;
        }
        const recipient = channel === 'EMAIL' ? r.email : channel === 'SMS' ? r.phone : r.user_id;
        const providerMissing = (channel === 'SMS' && !config.notifications.smsWebhookUrl) || (channel === 'PUSH' && !config.notifications.pushWebhookUrl);
        const skipReason = !recipient ? `no ${channel === 'SMS' ? 'phone number' : 'address'} for this user` : providerMissing ? `no ${channel} provider configured` : null;
        const rows = await tx.execute<{ id: string }[]>(
          `insert into notification_delivery (idempotency_key, user_id, channel, event_type, recipient, subject, body, status, last_error)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (idempotency_key) do nothing returning id`,
          [`${ev.key}:${r.user_id}:${channel}`, r.user_id, channel, ev.type, recipient ?? '', subject, body, skipReason ? 'SKIPPED' : 'PENDING', skipReason],
        );
        if (rows.length && !skipReason) deliveries++;
      }
    }
    return { inbox, deliveries };
  });
}

export interface NotificationConsumerOptions {
  orm: MikroORM;
  config: AppConfig;
  log: Logger;
  /** Called after a commit that created deliveries (wakes the dispatcher). */
  onDeliveries?: () => void;
}

export class NotificationConsumer {
  private readonly consumer: AmqpConsumer;
  private chain: Promise<void> = Promise.resolve();
  /** Messages handled (acknowledged), for observability and tests. */
  processed = 0;

  constructor(private readonly opts: NotificationConsumerOptions) {
    const { config, log } = opts;
    this.consumer = new AmqpConsumer({
      name: 'notifications',
      url: config.events.rabbitmqUrl,
      reconnectMs: config.events.reconnectMs,
      log,
      prefetch: 50,
      setup: async (ch) => {
        await ch.assertExchange(config.events.exchange, 'topic', { durable: true });
        await ch.assertQueue(config.notifications.queue, { durable: true });
        await ch.bindQueue(config.notifications.queue, config.events.exchange, 'loan.#');
        await ch.bindQueue(config.notifications.queue, config.events.exchange, 'bulk.#');
        await ch.consume(config.notifications.queue, (msg) => {
          if (msg) this.chain = this.chain.then(() => this.handle(ch, msg));
        });
      },
    });
  }

  get connected(): boolean {
    return this.consumer.connected;
  }

  start(): void {
    this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.chain;
    await this.consumer.stop();
  }

  private async handle(ch: AmqpChannel, msg: ConsumeMessage): Promise<void> {
    let decoded: DecodedEvent;
    try {
      decoded = decodeEvent(msg.content);
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message }, 'notifications: undecodable message dropped');
      ch.nack(msg, false, false);
      return;
    }
    try {
      let deliveries = 0;
      for (const ev of notifiableEvents(decoded)) {
        deliveries += (await notify(this.opts.orm.em.fork(), this.opts.config, ev)).deliveries;
      }
      ch.ack(msg);
      this.processed++;
      if (deliveries) this.opts.onDeliveries?.();
    } catch (err) {
      // Not acknowledged: RabbitMQ redelivers it (the writes are idempotent). Back off a little first.
      this.opts.log.warn({ err: (err as Error).message, event: decoded.idempotencyKey }, 'notifications: will retry the event');
      await new Promise((r) => setTimeout(r, this.opts.config.events.reconnectMs));
      try {
        ch.nack(msg, false, true);
      } catch {
        // channel gone: the broker requeues unacknowledged messages itself
      }
    }
  }
}
