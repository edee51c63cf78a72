/**
 * The background event services a worker process runs next to its Temporal worker: the outbox relay
 * (leader-elected, so running it in every worker is safe), the notification consumer and the
 * delivery dispatcher. None needs RabbitMQ to start: they keep retrying while it is down.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { NotificationConsumer } from '../notifications/notification-consumer';
import { NotificationDispatcher } from '../notifications/dispatcher';
import { setEventSource } from '../services/outbox.service';
import { OutboxRelay } from './outbox-relay';

export interface EventServices {
  relay?: OutboxRelay;
  consumer?: NotificationConsumer;
  dispatcher?: NotificationDispatcher;
  stop(): Promise<void>;
}

export function startEventServices(deps: { orm: MikroORM; config: AppConfig; log: Logger }): EventServices {
  const { config, log } = deps;
  setEventSource(config.events.source);
  const relay = config.events.relayEnabled ? new OutboxRelay({ databaseUrl: config.databaseUrl, events: config.events, log }) : undefined;
  const dispatcher = config.notifications.enabled ? new NotificationDispatcher(deps) : undefined;
  const consumer = config.notifications.enabled ? new NotificationConsumer({ ...deps, onDeliveries: () => dispatcher?.wake() }) : undefined;
  relay?.start();
  consumer?.start();
  dispatcher?.start();
  return {
    relay,
    consumer,
    dispatcher,
    async stop() {
      await consumer?.stop();
      await dispatcher?.stop();
      await relay?.stop();
    },
  };
}
