/**
 * The outbox relay: publishes committed outbox rows to RabbitMQ in id order with publisher confirms,
 * marks them sent, and purges old sent rows. A plain loop in the worker process (see README, "Business
 * events"): it holds no state of its own — the outbox table is the queue — so a crash loses nothing;
 * the next leader republishes whatever was not marked sent (at-least-once).
 *
 * One relay per database publishes at a time: the leader holds a session advisory lock on its own
 * PostgreSQL connection, which also LISTENs for commits that wrote outbox rows (so latency is a few
 * milliseconds, with polling as a fallback). While RabbitMQ is down, rows wait and the relay retries
 * the connection every `reconnectMs`; the backlog then drains in id order.
 */
import { once } from 'node:events';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { Client } from 'pg';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { outboxPublished, outboxRelayLeader } from '../metrics/registry';
import { OUTBOX_NOTIFY_CHANNEL } from '../services/outbox.service';
import { AVRO_CONTENT_TYPE, encodeEnvelope, encodePayload } from './avro';
import { routingKeyOf } from './catalog';

/** pg_try_advisory_lock key of the relay leader (any fixed 64-bit value). */
const RELAY_LOCK_KEY = 7_318_204_552;
const PURGE_EVERY_MS = 60_000;

export interface RelayOptions {
  databaseUrl: string;
  events: AppConfig['events'];
  log: Logger;
}

interface OutboxRow {
  id: string;
  source: string;
  type: string;
  category: string;
  aggregate_type: string;
  aggregate_id: string;
  idempotency_key: string;
  data_schema: string;
  payload: unknown;
  business_date: string | null;
  created_at: Date;
}

export class OutboxRelay {
  private db?: Client;
  private conn?: ChannelModel;
  private channel?: ConfirmChannel;
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private dirty = true;
  private lastPurge = 0;
  /** Observable state (tests, health). */
  leader = false;
  published = 0;
  lastError: string | null = null;

  constructor(private readonly opts: RelayOptions) {}

  get connected(): boolean {
    return !!this.channel;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    await this.closeBroker();
    await this.closeDb();
  }

  /**
   * Tears both connections down without any cleanup, as a killed process would (the advisory lock goes
   * with the database session; unconfirmed messages are simply not marked sent).
   */
  async crash(): Promise<void> {
    this.running = false;
    type WithStream = { connection?: { stream?: { destroy(err?: Error): void } } } | undefined;
    const crash = new Error('simulated crash');
    (this.conn as unknown as WithStream)?.connection?.stream?.destroy(crash);
    (this.db as unknown as WithStream)?.connection?.stream?.destroy(crash);
    this.wakeUp?.();
    // A dead process awaits nothing; this only lets the in-memory loop notice its sockets are gone.
    await Promise.race([this.loop?.catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.channel = undefined;
    this.conn = undefined;
    this.db = undefined;
    this.leader = false;
  }

  private async run(): Promise<void> {
    const { events, log } = this.opts;
    while (this.running) {
      try {
        if (!this.leader) {
          if (!(await this.becomeLeader())) {
            await this.idle(events.relayPollMs);
            continue;
          }
        }
        if (!this.channel) await this.connectBroker();
        const n = await this.publishBatch();
        if (n >= events.relayBatchSize) continue;
        if (Date.now() - this.lastPurge > PURGE_EVERY_MS) await this.purge();
        await this.idle(events.relayPollMs);
      } catch (err) {
        if (!this.running) break;
        const message = (err as Error).message;
        if (message !== this.lastError) log.warn({ err: message }, 'outbox relay: will retry (events wait in the outbox)');
        this.lastError = message;
        await this.closeBroker();
        if (this.db && !this.leader) await this.closeDb();
        await this.idle(events.reconnectMs);
      }
    }
  }

  /** Waits for a commit notification or the timeout. */
  private async idle(ms: number): Promise<void> {
    if (this.dirty || !this.running) {
      this.dirty = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
    this.wakeUp = undefined;
    this.dirty = false;
  }

  private async becomeLeader(): Promise<boolean> {
    if (!this.db) {
      const db = new Client({ connectionString: this.opts.databaseUrl });
      db.on('error', (err) => {
        this.opts.log.warn({ err: err.message }, 'outbox relay: database connection lost');
        this.leader = false;
        outboxRelayLeader.set(0);
        if (this.db === db) this.db = undefined;
        this.wakeUp?.();
      });
      db.on('notification', () => {
        this.dirty = true;
        this.wakeUp?.();
      });
      await db.connect();
      this.db = db;
    }
    const res = await this.db.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [RELAY_LOCK_KEY]);
    if (!res.rows[0].ok) return false;
    await this.db.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
    this.leader = true;
    outboxRelayLeader.set(1);
    this.dirty = true;
    this.opts.log.info('outbox relay: leader');
    return true;
  }

  private async connectBroker(): Promise<void> {
    const conn = await amqp.connect(this.opts.events.rabbitmqUrl);
    const lost = (): void => {
      if (this.conn === conn) {
        this.conn = undefined;
        this.channel = undefined;
      }
    };
    conn.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    conn.on('close', lost);
    const channel = await conn.createConfirmChannel();
    channel.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    channel.on('close', lost);
    await channel.assertExchange(this.opts.events.exchange, 'topic', { durable: true });
    this.conn = conn;
    this.channel = channel;
    if (this.lastError) this.opts.log.info('outbox relay: connected to RabbitMQ again; draining the backlog');
    this.lastError = null;
  }

  /** Publishes the next batch of unsent rows in id order; returns how many were confirmed. */
  async publishBatch(): Promise<number> {
    const db = this.db!;
    const channel = this.channel;
    if (!channel) throw new Error('not connected to RabbitMQ');
    const { rows } = await db.query<OutboxRow>(
      `select "id", "source", "type", "category", "aggregate_type", "aggregate_id", "idempotency_key", "data_schema", "payload",
              to_char("business_date", 'YYYY-MM-DD') as "business_date", "created_at"
         from "outbox_event" where "sent_at" is null order by "id" limit $1`,
      [this.opts.events.relayBatchSize],
    );
    if (rows.length === 0) return 0;
    for (const row of rows) {
      const body = encodeEnvelope({
        id: Number(row.id),
        source: row.source,
        type: row.type,
        category: row.category,
        createdAt: row.created_at.toISOString(),
        businessDate: row.business_date,
        idempotencyKey: row.idempotency_key,
        aggregateType: row.aggregate_type,
        aggregateId: row.aggregate_id,
        dataschema: row.data_schema,
        data: encodePayload(row.type, row.payload, row.aggregate_id, row.business_date),
      });
      const ok = channel.publish(this.opts.events.exchange, routingKeyOf(row.type), body, {
        persistent: true,
        messageId: row.idempotency_key,
        type: row.type,
        appId: row.source,
        contentType: AVRO_CONTENT_TYPE,
        timestamp: Math.floor(row.created_at.getTime() / 1000),
        headers: { 'x-event-id': row.id, 'x-aggregate-id': row.aggregate_id, 'x-aggregate-type': row.aggregate_type, 'x-dataschema': row.data_schema },
      });
      if (!ok) await once(channel, 'drain');
    }
    // Rejects if any message was nacked or the connection dropped: nothing is marked, all are retried.
    await channel.waitForConfirms();
    await db.query(`update "outbox_event" set "sent_at" = now() where "id" = any($1::bigint[])`, [rows.map((r) => r.id)]);
    this.published += rows.length;
    outboxPublished.inc(rows.length);
    return rows.length;
  }

  /** Deletes sent rows older than the retention period; unsent rows are never deleted. */
  async purge(): Promise<number> {
    this.lastPurge = Date.now();
    const db = this.db ?? new Client({ connectionString: this.opts.databaseUrl });
    if (db !== this.db) await db.connect();
    try {
      const res = await db.query(`delete from "outbox_event" where "sent_at" is not null and "sent_at" < now() - make_interval(hours => $1)`, [
        this.opts.events.retentionHours,
      ]);
      return res.rowCount ?? 0;
    } finally {
      if (db !== this.db) await db.end();
    }
  }

  private async closeBroker(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    this.channel = undefined;
    await conn?.close().catch(() => undefined);
  }

  private async closeDb(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.leader = false;
    outboxRelayLeader.set(0);
    await db?.end().catch(() => undefined);
  }
}
