/**
 * Sends PENDING deliveries (EMAIL, SMS, PUSH). A delivery is claimed with FOR UPDATE SKIP LOCKED and a
 * lease (so several workers share the work and a crashed one's claims come back), sent, and marked
 * SENT; a failure is retried with exponential back-off (retryBaseMs · 2^(attempt-1)); after
 * maxAttempts it is published to the dead-letter queue and marked DEAD.
 */
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { notificationDeadLetters, notificationDeliveries } from '../metrics/registry';
import { createChannels, type Channel, type OutgoingMessage } from './channels';

const CLAIM_BATCH = 20;
const LEASE_SECONDS = 120;

interface DeliveryRow {
  id: string;
  idempotency_key: string;
  user_id: string;
  channel: 'EMAIL' | 'SMS' | 'PUSH';
  event_type: string;
  recipient: string;
  subject: string;
  body: string;
  attempts: number;
}

/** Publishes dead deliveries to a durable queue, with confirms. */
export class DeadLetterPublisher {
  private conn?: ChannelModel;
  private channel?: ConfirmChannel;

  constructor(private readonly url: string, private readonly queue: string) {}

  async publish(payload: Record<string, unknown>): Promise<void> {
    if (!this.channel) {
      const conn = await amqp.connect(this.url);
      conn.on('error', () => undefined);
      conn.on('close', () => {
        if (this.conn === conn) {
          this.conn = undefined;
          this.channel = undefined;
        }
      });
      const ch = await conn.createConfirmChannel();
      ch.on('error', () => undefined);
      await ch.assertQueue(this.queue, { durable: true });
      this.conn = conn;
      this.channel = ch;
    }
    this.channel.sendToQueue(this.queue, Buffer.from(JSON.stringify(payload)), {
      persistent: true, contentType: 'application/json', messageId: String(payload.idempotencyKey),
    });
    await this.channel.waitForConfirms();
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    this.channel = undefined;
    await conn?.close().catch(() => undefined);
  }
}

export interface DispatcherOptions {
  orm: MikroORM;
  config: AppConfig;
  log: Logger;
  /** Overrides the channels built from config (tests pass none; kept for embedding). */
  channels?: Record<'EMAIL' | 'SMS' | 'PUSH', Channel>;
  /** How often to look for due retries when nothing wakes it. */
  pollMs?: number;
}

export class NotificationDispatcher {
  private readonly channels: Record<'EMAIL' | 'SMS' | 'PUSH', Channel>;
  private readonly deadLetter: DeadLetterPublisher;
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private dirty = true;
  sent = 0;
  dead = 0;

  constructor(private readonly opts: DispatcherOptions) {
    this.channels = opts.channels ?? createChannels(opts.config.notifications);
    this.deadLetter = new DeadLetterPublisher(opts.config.events.rabbitmqUrl, opts.config.notifications.deadLetterQueue);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.dirty = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    await this.deadLetter.close();
    for (const c of Object.values(this.channels)) c.close?.();
  }

  private async run(): Promise<void> {
    const pollMs = this.opts.pollMs ?? Math.min(1000, this.opts.config.notifications.retryBaseMs);
    while (this.running) {
      try {
        if ((await this.runOnce()) > 0) continue;
      } catch (err) {
        this.opts.log.warn({ err: (err as Error).message }, 'notification dispatcher: will retry');
      }
      if (this.dirty) {
        this.dirty = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  /** Claims and sends the due deliveries once; returns how many it handled. */
  async runOnce(): Promise<number> {
    const em = this.opts.orm.em.fork();
    const rows = await em.execute<DeliveryRow[]>(
      `update notification_delivery set attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ?)
        where id in (select id from notification_delivery where status = 'PENDING' and next_attempt_at <= now()
                      order by id for update skip locked limit ?)
        returning id, idempotency_key, user_id, channel, event_type, recipient, subject, body, attempts`,
      [LEASE_SECONDS, CLAIM_BATCH],
    );
    await Promise.all(rows.map((row) => this.deliver(row)));
    return rows.length;
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    const em = this.opts.orm.em.fork();
    const { maxAttempts, retryBaseMs } = this.opts.config.notifications;
    const message: OutgoingMessage = {
      idempotencyKey: row.idempotency_key, channel: row.channel, eventType: row.event_type, recipient: row.recipient, subject: row.subject, body: row.body,
    };
    let error: string | null = null;
    if (row.attempts <= maxAttempts) {
      try {
        await this.channels[row.channel].send(message);
        await em.execute(`update notification_delivery set status = 'SENT', sent_at = now(), last_error = null where id = ?`, [row.id]);
        this.sent++;
        notificationDeliveries.inc({ channel: row.channel, outcome: 'SENT' });
        return;
      } catch (err) {
        error = String((err as Error).message ?? err).slice(0, 500);
      }
    }
    if (row.attempts < maxAttempts) {
      const delayMs = retryBaseMs * 2 ** (row.attempts - 1);
      await em.execute(`update notification_delivery set last_error = ?, next_attempt_at = now() + make_interval(secs => ?) where id = ?`, [error, delayMs / 1000, row.id]);
      notificationDeliveries.inc({ channel: row.channel, outcome: 'RETRY' });
      return;
    }
    // Out of attempts: dead-letter it (retried like a send if RabbitMQ is down, then DEAD).
    try {
      await this.deadLetter.publish({ ...message, deliveryId: row.id, userId: row.user_id, attempts: Math.min(row.attempts, maxAttempts), lastError: error });
      await em.execute(`update notification_delivery set status = 'DEAD', last_error = coalesce(?, last_error) where id = ?`, [error, row.id]);
      this.dead++;
      notificationDeliveries.inc({ channel: row.channel, outcome: 'DEAD' });
      notificationDeadLetters.inc({ channel: row.channel });
      this.opts.log.warn({ delivery: row.id, channel: row.channel, err: error }, 'notification dead-lettered');
    } catch (err) {
      await this.deadLetter.close();
      await em.execute(`update notification_delivery set last_error = coalesce(?, last_error), next_attempt_at = now() + make_interval(secs => ?) where id = ?`,
        [error, retryBaseMs / 1000, row.id]);
      this.opts.log.warn({ err: (err as Error).message }, 'dead-letter queue unreachable; will retry');
    }
  }
}
