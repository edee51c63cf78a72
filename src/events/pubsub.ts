/**
 * A small typed pub/sub for GraphQL subscriptions (type-graphql's PubSub shape: publish, and subscribe
 * returning an AsyncIterable). It is fed only by EventBus from RabbitMQ — i.e. from committed outbox
 * rows — never by in-process calls before a commit.
 */
import type { PubSub } from 'type-graphql';

export interface LoanStageChangePayload {
  eventId: string;
  eventType: string;
  loanId: string;
  action: string | null;
  fromStage: string | null;
  toStage: string;
  fromStatus: string | null;
  toStatus: string;
  occurredAt: string;
}

export interface NotificationPayload {
  id: string;
  eventType: string;
  loanId: string | null;
  title: string;
  body: string;
  readAt: Date | null;
  createdAt: Date;
}

/** Topic → payload; every topic is keyed by an id (the loan, the user). */
export interface EventTopics {
  LOAN_STAGE_CHANGED: LoanStageChangePayload;
  NOTIFICATION_CREATED: NotificationPayload;
}
export type Topic = keyof EventTopics;

/** Events a slow subscriber may fall behind by before its subscription is ended. */
const MAX_BUFFER = 1000;

export class TypedPubSub implements PubSub {
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  publish<T extends Topic>(topic: T, id: string, payload: EventTopics[T]): void;
  publish(topic: string, ...args: unknown[]): void {
    const [id, payload] = args as [string, unknown];
    for (const listener of this.listeners.get(`${topic}:${id}`) ?? []) listener(payload);
  }

  subscriberCount(topic: Topic, id: string): number {
    return this.listeners.get(`${topic}:${id}`)?.size ?? 0;
  }

  subscribe<T extends Topic>(topic: T, id: string): AsyncIterableIterator<EventTopics[T]>;
  subscribe(topic: string, dynamicId?: unknown): AsyncIterableIterator<unknown> {
    const key = `${topic}:${String(dynamicId)}`;
    const buffer: unknown[] = [];
    const waiting: ((r: IteratorResult<unknown>) => void)[] = [];
    let failed: Error | null = null;
    let done = false;
    const set = this.listeners.get(key) ?? new Set();
    this.listeners.set(key, set);

    const finish = (): void => {
      done = true;
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
      for (const w of waiting.splice(0)) w({ value: undefined, done: true });
    };
    const listener = (payload: unknown): void => {
      if (done) return;
      const w = waiting.shift();
      if (w) return w({ value: payload, done: false });
      if (buffer.length >= MAX_BUFFER) {
        failed = new Error('Subscriber too slow: subscription ended');
        return finish();
      }
      buffer.push(payload);
    };
    set.add(listener);

    const iterator: AsyncIterableIterator<unknown> = {
      next: () => {
        if (buffer.length) return Promise.resolve({ value: buffer.shift(), done: false });
        if (failed) return Promise.reject(failed);
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => waiting.push(resolve));
      },
      return: () => {
        finish();
        return Promise.resolve({ value: undefined, done: true });
      },
      throw: (err?: unknown) => {
        finish();
        return Promise.reject(err);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}

/** What GraphQL subscriptions need from the API process. */
export interface EventBusLike {
  pubsub: TypedPubSub;
}

export function requireEventBus(ctx: { events?: EventBusLike }): TypedPubSub {
  if (!ctx.events) throw new Error('Subscriptions are not available on this server (no event bus)');
  return ctx.events.pubsub;
}
