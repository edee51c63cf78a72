/**
 * A RabbitMQ consumer that survives broker outages: it (re)connects every `reconnectMs` and runs
 * `setup` on each new channel (declare queues, bind, consume).
 */
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import type { Logger } from '../logger';

export interface AmqpConsumerOptions {
  name: string;
  url: string;
  reconnectMs: number;
  log: Logger;
  prefetch?: number;
  setup(channel: Channel): Promise<void>;
}

export class AmqpConsumer {
  private conn?: ChannelModel;
  channel?: Channel;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastError: string | null = null;

  constructor(private readonly opts: AmqpConsumerOptions) {}

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
    this.wake?.();
    await this.loop;
    const conn = this.conn;
    this.conn = undefined;
    this.channel = undefined;
    await conn?.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (!this.channel) {
        try {
          await this.connect();
        } catch (err) {
          const message = (err as Error).message;
          if (message !== this.lastError) this.opts.log.warn({ err: message, consumer: this.opts.name }, 'RabbitMQ unreachable; retrying');
          this.lastError = message;
          const conn = this.conn;
          this.conn = undefined;
          this.channel = undefined;
          await conn?.close().catch(() => undefined);
        }
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.opts.reconnectMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private async connect(): Promise<void> {
    const conn = await amqp.connect(this.opts.url);
    this.conn = conn;
    const lost = (): void => {
      if (this.conn === conn) {
        this.conn = undefined;
        this.channel = undefined;
        this.wake?.();
      }
    };
    conn.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    conn.on('close', lost);
    const channel = await conn.createChannel();
    channel.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    channel.on('close', lost);
    if (this.opts.prefetch) await channel.prefetch(this.opts.prefetch);
    await this.opts.setup(channel);
    this.channel = channel;
    if (this.lastError) this.opts.log.info({ consumer: this.opts.name }, 'RabbitMQ connected again');
    this.lastError = null;
  }
}
