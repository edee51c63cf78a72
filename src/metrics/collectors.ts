/**
 * Gauges read at scrape time: the database connection pool of this process, the outbox backlog and the
 * age of its oldest unsent event, notification deliveries waiting or dead, and the latest close-of-
 * business run (status, loans processed/failed, duration, time per step). The queries use the partial
 * and primary-key indexes, so a scrape stays cheap on a large book. A scrape never fails because the
 * database is away: `loan_platform_database_up` drops to 0 and the other gauges keep their last values.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { Gauge, Registry } from 'prom-client';
import { connectionPool, type ConnectionPool } from '../database';
import { sql } from '../services/sql';
import { registry } from './registry';

let watched: MikroORM | undefined;

/** The ORM whose pool this process reports, and that the database-wide gauges are read through. */
export function watchDatabase(orm: MikroORM): void {
  watched = orm;
}

/**
 * The database-wide gauges (outbox, notifications, COB) live in their own registry: only the API serves
 * them (one answer for the whole database), so a worker's page never shows a misleading 0 backlog.
 */
export const businessRegistry = new Registry();

function pool(): ConnectionPool | undefined {
  return watched ? connectionPool(watched) : undefined;
}

const dbPool = new Gauge({
  name: 'loan_platform_db_pool_connections',
  help: "This process's PostgreSQL connection pool, by state: used, free, pending_acquires (callers waiting), pending_creates, max.",
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    const p = pool();
    if (!p) return;
    this.set({ state: 'used' }, p.numUsed());
    this.set({ state: 'free' }, p.numFree());
    this.set({ state: 'pending_acquires' }, p.numPendingAcquires());
    this.set({ state: 'pending_creates' }, p.numPendingCreates());
    this.set({ state: 'max' }, p.max);
  },
});
void dbPool;

const databaseUp = new Gauge({ name: 'loan_platform_database_up', help: '1 when the last scrape could read the database-wide gauges.', registers: [businessRegistry] });
const outboxBacklog = new Gauge({ name: 'loan_platform_outbox_backlog', help: 'Outbox events committed and not yet published (sent_at is null).', registers: [businessRegistry] });
const outboxOldestAge = new Gauge({
  name: 'loan_platform_outbox_oldest_unsent_age_seconds',
  help: 'Age of the oldest unsent outbox event (0 when the outbox is drained).',
  registers: [businessRegistry],
});
const notificationsWaiting = new Gauge({
  name: 'loan_platform_notification_deliveries',
  help: 'Notification deliveries PENDING (to send or retry) and DEAD (dead-lettered), by channel.',
  labelNames: ['channel', 'status'] as const,
  registers: [businessRegistry],
});
const cobRunInfo = new Gauge({
  name: 'loan_platform_cob_last_run_running',
  help: '1 while the latest close-of-business run is RUNNING, else 0; label business_date is the date it closes.',
  labelNames: ['business_date'] as const,
  registers: [businessRegistry],
});
const cobRunLoans = new Gauge({
  name: 'loan_platform_cob_last_run_loans',
  help: 'Loans the latest close-of-business run has processed and failed so far (its progress while it runs).',
  labelNames: ['outcome'] as const,
  registers: [businessRegistry],
});
const cobRunDuration = new Gauge({
  name: 'loan_platform_cob_last_run_duration_seconds',
  help: 'Wall time of the latest close-of-business run (so far, while it runs).',
  registers: [businessRegistry],
});
const cobRunStep = new Gauge({
  name: 'loan_platform_cob_last_run_step_seconds',
  help: 'Time the latest close-of-business run spent in each business step, summed over chunks.',
  labelNames: ['step'] as const,
  registers: [businessRegistry],
});
const cobActiveLoans = new Gauge({
  name: 'loan_platform_cob_behind_loans',
  help: 'Active loans whose last close of business is before the day before the business date (to catch up).',
  registers: [businessRegistry],
});

async function collectBusiness(): Promise<void> {
  const orm = watched;
  if (!orm) return;
  const em = orm.em.fork();
  try {
    const [outbox] = await sql<{ backlog: string; oldest: string | null }>(
      em,
      `select (select count(*) from "outbox_event" where "sent_at" is null)::text as backlog,
              (select extract(epoch from now() - "created_at") from "outbox_event" where "sent_at" is null order by "id" limit 1)::text as oldest`,
    );
    outboxBacklog.set(Number(outbox.backlog));
    outboxOldestAge.set(outbox.oldest === null ? 0 : Math.max(0, Number(outbox.oldest)));

    const deliveries = await sql<{ channel: string; status: string; n: string }>(
      em,
      `select "channel", "status", count(*)::text as n from "notification_delivery" where "status" in ('PENDING', 'DEAD') group by 1, 2`,
    );
    notificationsWaiting.reset();
    for (const channel of ['EMAIL', 'SMS', 'PUSH']) for (const status of ['PENDING', 'DEAD']) notificationsWaiting.set({ channel, status }, 0);
    for (const d of deliveries) notificationsWaiting.set({ channel: d.channel, status: d.status }, Number(d.n));

    const [run] = await sql<{ business_date: string; status: string; processed: number; failed: number; seconds: string; step_millis: Record<string, number> | null }>(
      em,
      `select "business_date"::text, "status", "loans_processed" as processed, "loans_failed" as failed,
              extract(epoch from coalesce("finished_at", now()) - "started_at")::text as seconds, "step_millis"
         from "cob_run" order by "business_date" desc limit 1`,
    );
    cobRunInfo.reset();
    cobRunStep.reset();
    if (run) {
      cobRunInfo.set({ business_date: run.business_date }, run.status === 'RUNNING' ? 1 : 0);
      cobRunLoans.set({ outcome: 'processed' }, run.processed);
      cobRunLoans.set({ outcome: 'failed' }, run.failed);
      cobRunDuration.set(Number(run.seconds));
      for (const [step, ms] of Object.entries(run.step_millis ?? {})) cobRunStep.set({ step }, ms / 1000);
    }
    const [behind] = await sql<{ n: string }>(
      em,
      `select count(*)::text as n from "loan"
        where "status" = 'ACTIVE' and ("last_cob_date" is null or "last_cob_date" < (select "date" from "business_date" where "name" = 'BUSINESS_DATE') - 1)`,
    );
    cobActiveLoans.set(Number(behind?.n ?? 0));
    databaseUp.set(1);
  } catch {
    databaseUp.set(0);
  }
}

/** The database-wide gauges, read now, as exposition text. */
export async function businessMetricsText(): Promise<string> {
  await collectBusiness();
  return businessRegistry.metrics();
}
