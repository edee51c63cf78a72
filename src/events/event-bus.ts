/**
 * The API's view of the event stream: an exclusive, auto-deleted queue on the events exchange (every
 * API instance gets every event) feeding the typed pub/sub behind GraphQL subscriptions.
 */
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { AmqpConsumer } from './amqp-consumer';
import { decodeEvent, type DecodedEvent } from './avro';
import { routingKeyOf, STAGE_CHANGE_EVENT_TYPES } from './catalog';
import { TypedPubSub, type EventBusLike, type LoanStageChangePayload } from './pubsub';

export function stageChangeOf(e: DecodedEvent): LoanStageChangePayload | null {
  const d = e.data;
  if ((STAGE_CHANGE_EVENT_TYPES as readonly string[]).includes(e.type)) {
    return {
      eventId: String(e.id), eventType: e.type, loanId: d.loanId, action: d.action ?? null, fromStage: d.fromStage ?? null, toStage: d.toStage,
      fromStatus: d.fromStatus ?? null, toStatus: d.toStatus, occurredAt: d.occurredAt,
    };
  }
  // Closing (also after a write-off, whose own LoanWrittenOff event carries the amounts) is a transition to CLOSED.
  if (e.type === 'LoanClosed') {
    return {
      eventId: String(e.id), eventType: e.type, loanId: d.loanId, action: 'CLOSED', fromStage: null,
      toStage: 'CLOSED', fromStatus: null, toStatus: d.status, occurredAt: d.closedAt ?? e.createdAt,
    };
  }
  return null;
}

export class EventBus implements EventBusLike {
  readonly pubsub = new TypedPubSub();
  private readonly consumer: AmqpConsumer;

  constructor(config: Pick<AppConfig, 'events'>, log: Logger) {
    const keys = [...STAGE_CHANGE_EVENT_TYPES, 'LoanClosed', 'NotificationCreated'].map(routingKeyOf);
    this.consumer = new AmqpConsumer({
      name: 'api-event-bus',
      url: config.events.rabbitmqUrl,
      reconnectMs: config.events.reconnectMs,
      log,
      setup: async (ch) => {
        await ch.assertExchange(config.events.exchange, 'topic', { durable: true });
        const q = await ch.assertQueue('', { exclusive: true, autoDelete: true });
        for (const key of keys) await ch.bindQueue(q.queue, config.events.exchange, key);
        await ch.consume(q.queue, (msg) => {
          if (!msg) return;
          try {
            this.dispatch(decodeEvent(msg.content));
          } catch (err) {
            log.warn({ err: (err as Error).message }, 'event bus: undecodable message skipped');
          }
        }, { noAck: true });
      },
    });
  }

  get connected(): boolean {
    return this.consumer.connected;
  }

  start(): void {
    this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  private dispatch(e: DecodedEvent): void {
    if (e.type === 'NotificationCreated') {
      const d = e.data;
      this.pubsub.publish('NOTIFICATION_CREATED', d.userId, {
        id: d.notificationId, eventType: d.eventType, loanId: d.loanId ?? null, title: d.title, body: d.body, readAt: null, createdAt: new Date(d.createdAt),
      });
      return;
    }
    const change = stageChangeOf(e);
    if (change) this.pubsub.publish('LOAN_STAGE_CHANGED', change.loanId, change);
  }
}
