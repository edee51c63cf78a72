/**
 * Real infrastructure for the event tests: a database of the file's own (one relay per database is
 * leader, so files must not share an outbox), a TCP proxy in front of RabbitMQ that a test can cut
 * and restore (a real network outage), and a RabbitMQ consumer that records what arrived, in order.
 */
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import type { AppConfig } from '../../src/config';
import { dropDatabase, openDatabase } from '../../src/database';
import { decodeEvent, type DecodedEvent } from '../../src/events/avro';

export const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A fresh, migrated database for one test file; `drop()` removes it. */
export async function ownDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_ev_${randomUUID().slice(0, 8)}`;
  const orm = await openDatabase(url.toString(), { migrate: true });
  await orm.close();
  return { url: url.toString(), drop: () => (process.env.KEEP_TEST_DB === 'true' ? Promise.resolve() : dropDatabase(url.toString())) };
}

/** Unique exchange/queue names, fast retries and polling, for one test file. */
export function eventsConfig(config: AppConfig, databaseUrl: string, rabbitmqUrl = RABBITMQ_URL): void {
  const tag = randomUUID().slice(0, 8);
  config.databaseUrl = databaseUrl;
  config.events = { ...config.events, rabbitmqUrl, exchange: `test-events-${tag}`, relayPollMs: 200, reconnectMs: 100 };
  config.notifications = {
    ...config.notifications,
    queue: `test-notifications-${tag}`,
    deadLetterQueue: `test-notifications-dlq-${tag}`,
  };
}

/** A TCP proxy to RabbitMQ. `cut()` drops every connection and refuses new ones; `restore()` undoes it. */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target = { host: '127.0.0.1', port: Number(new URL(RABBITMQ_URL).port || 5672) }) {}

  get url(): string {
    const u = new URL(RABBITMQ_URL);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      this.sockets.add(client).add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  restore(): Promise<void> {
    return this.start();
  }

  stop(): Promise<void> {
    return this.cut();
  }
}

/** Consumes an exchange through its own exclusive queue and keeps every decoded event in arrival order. */
export class EventCollector {
  readonly events: DecodedEvent[] = [];
  private conn?: ChannelModel;
  channel?: Channel;

  static async start(exchange: string, bindingKey = '#'): Promise<EventCollector> {
    const c = new EventCollector();
    c.conn = await amqp.connect(RABBITMQ_URL);
    const ch = await c.conn.createChannel();
    c.channel = ch;
    await ch.assertExchange(exchange, 'topic', { durable: true });
    const q = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    await ch.bindQueue(q.queue, exchange, bindingKey);
    await ch.consume(q.queue, (msg) => {
      if (msg) c.events.push(decodeEvent(msg.content));
    }, { noAck: true });
    return c;
  }

  ofAggregate(id: string): DecodedEvent[] {
    return this.events.filter((e) => e.aggregateId === id);
  }

  async close(): Promise<void> {
    await this.conn?.close().catch(() => undefined);
  }
}

export async function deleteExchange(exchange: string): Promise<void> {
  const conn = await amqp.connect(RABBITMQ_URL);
  try {
    const ch = await conn.createChannel();
    await ch.deleteExchange(exchange);
  } finally {
    await conn.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
