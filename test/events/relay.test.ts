/**
 * The relay against the real RabbitMQ: per-loan order under concurrent writers, a real network
 * outage (a TCP proxy between relay and broker is cut, then restored), a relay killed mid-backlog with
 * a standby taking over, and the purge of old sent rows.
 */
import { recordEvent, recordEvents, type RecordEventInput } from '../../src/services/outbox.service';
import { OutboxRelay } from '../../src/events/outbox-relay';
import { logger } from '../../src/logger';
import type { AppConfig } from '../../src/config';
import { eventually, startTestApp, type TestApp } from '../utils';
import { APPLY, applicationInput, createCustomer, createProduct } from '../graphql/fixtures';
import { deleteExchange, EventCollector, eventsConfig, ownDatabase, TcpProxy } from './helpers';

let app: TestApp;
let db: { url: string; drop(): Promise<void> };
let proxy: TcpProxy;
let relay: OutboxRelay;
let collector: EventCollector;
let customerId: string;
let productId: string;

function relayFor(events: Partial<AppConfig['events']> = {}): OutboxRelay {
  return new OutboxRelay({ databaseUrl: db.url, events: { ...app.config.events, ...events }, log: logger });
}

beforeAll(async () => {
  db = await ownDatabase();
  proxy = new TcpProxy();
  await proxy.start();
  app = await startTestApp({ worker: false, configure: (c) => eventsConfig(c, db.url) });
  collector = await EventCollector.start(app.config.events.exchange);
  relay = relayFor({ rabbitmqUrl: proxy.url });
  relay.start();
  [customerId, productId] = await Promise.all([createCustomer(app), createProduct(app)]);
});

afterAll(async () => {
  await relay?.stop();
  await collector?.close();
  await proxy?.stop();
  if (app) await deleteExchange(app.config.events.exchange).catch(() => undefined);
  await app?.close();
  await db?.drop();
});

async function newLoan(): Promise<string> {
  const res = await app.gql(APPLY, { input: applicationInput(customerId, productId) });
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.applyForLoan.id;
}

function repayment(loanId: string, key: string): RecordEventInput<'LoanRepaymentRecorded'> {
  return {
    type: 'LoanRepaymentRecorded', aggregateId: loanId, idempotencyKey: key,
    data: { loanId, customerId, transactionId: key, transactionDate: '2026-11-23', currencyCode: 'USD', amount: '10.00', actorId: 'system', actorRole: 'SYSTEM' },
  };
}

async function unsentCount(): Promise<number> {
  const [row] = await app.orm.em.fork().execute<{ n: string }[]>('select count(*) as n from outbox_event where sent_at is null');
  return Number(row.n);
}

function keysOf(loanId: string): string[] {
  return collector.ofAggregate(loanId).filter((e) => e.type === 'LoanRepaymentRecorded').map((e) => e.idempotencyKey);
}

function firstArrivals(loanId: string): number[] {
  const seen = new Set<number>();
  return collector.ofAggregate(loanId).map((e) => e.id).filter((id) => !seen.has(id) && seen.add(id));
}

it('publishes with the envelope: LoanCreated reaches RabbitMQ, decoded by its schema, and the row is marked sent', async () => {
  const loanId = await newLoan();
  await eventually(async () => collector.ofAggregate(loanId).length === 1, 20000, 'LoanCreated published');
  const [e] = collector.ofAggregate(loanId);
  expect(e).toMatchObject({
    type: 'LoanCreated', category: 'LOAN', source: 'loan-platform', aggregateType: 'Loan', idempotencyKey: `loan-${loanId}-created`,
    dataschema: 'org.loanplatform.avro.loan.v1.LoanCreatedV1',
  });
  expect(e.data).toMatchObject({ loanId, customerId, principal: '10000', numberOfRepayments: 12 });
  await eventually(async () => (await unsentCount()) === 0, 20000, 'row marked sent');
});

it('keeps one loan\'s events in commit order under concurrent writers', async () => {
  const loanId = await newLoan();
  const K = 24;
  const commitOrder: { key: string; version: number }[] = [];
  await Promise.all(Array.from({ length: K }, async (_, i) => {
    const key = `conc-${loanId}-${i}`;
    await app.orm.em.fork().transactional(async (tx) => {
      await recordEvent(tx, repayment(loanId, key));
      // Work of uneven length after recording, then the business write that orders the transactions.
      await tx.execute('select pg_sleep(?)', [(i % 4) * 0.01]);
      const [row] = await tx.execute<{ version: number }[]>('update loan set version = version + 1 where id = ? returning version', [loanId]);
      commitOrder.push({ key, version: row.version });
    });
  }));
  const expected = commitOrder.sort((a, b) => a.version - b.version).map((c) => c.key);
  await eventually(async () => new Set(keysOf(loanId)).size === K, 20000, 'all concurrent events');
  expect(keysOf(loanId)).toEqual(expected);
});

it('loses nothing while the broker is unreachable and delivers the backlog in order when it returns', async () => {
  const loans = await Promise.all([newLoan(), newLoan(), newLoan()]);
  await eventually(async () => (await unsentCount()) === 0, 20000, 'earlier events sent');
  await proxy.cut();
  await eventually(async () => !relay.connected && relay.lastError !== null, 20000, 'relay sees the outage');

  const keys = new Map(loans.map((l) => [l, [] as string[]]));
  for (let round = 0; round < 20; round++) {
    await app.orm.em.fork().transactional(async (tx) => {
      for (const loanId of loans) {
        const key = `outage-${loanId}-${round}`;
        keys.get(loanId)!.push(key);
        await recordEvent(tx, repayment(loanId, key));
      }
    });
  }
  // The relay keeps retrying; nothing gets through and nothing is marked sent.
  await eventually(async () => relay.lastError !== null && !relay.connected, 20000, 'relay still retrying');
  expect(await unsentCount()).toBe(60);
  for (const loanId of loans) expect(keysOf(loanId)).toEqual([]);

  await proxy.restore();
  await eventually(async () => loans.every((l) => new Set(keysOf(l)).size === 20), 30000, 'backlog delivered');
  for (const loanId of loans) expect(keysOf(loanId)).toEqual(keys.get(loanId));
  // The backlog went out in id order.
  const backlog = collector.events.filter((e) => e.idempotencyKey.startsWith('outage-')).map((e) => e.id);
  expect(backlog).toEqual([...backlog].sort((a, b) => a - b));
  await eventually(async () => (await unsentCount()) === 0, 20000, 'all marked sent');
});

it('starts while RabbitMQ is unreachable (events wait in the outbox) and delivers once it is reachable', async () => {
  await relay.stop();
  const down = new TcpProxy();
  await down.start();
  await down.cut(); // its port now refuses connections
  const late = relayFor({ rabbitmqUrl: down.url });
  late.start();
  try {
    await eventually(async () => late.leader && late.lastError !== null, 20000, 'relay up, broker not');
    const loanId = await newLoan();
    await app.orm.em.fork().transactional((tx) => recordEvent(tx, repayment(loanId, `late-${loanId}`)));
    expect(await unsentCount()).toBe(2);
    await down.restore();
    await eventually(async () => keysOf(loanId).length === 1, 20000, 'delivered after the broker appeared');
    expect(collector.ofAggregate(loanId).map((e) => e.type)).toEqual(['LoanCreated', 'LoanRepaymentRecorded']);
  } finally {
    await late.stop();
    await down.stop();
  }
});

it('a relay killed mid-backlog loses nothing: the standby takes over and republishes what was not confirmed', async () => {
  await relay.stop();
  const loans = await Promise.all([newLoan(), newLoan()]);
  const all: RecordEventInput[] = [];
  for (let i = 0; i < 1500; i++) for (const loanId of loans) all.push(repayment(loanId, `crash-${loanId}-${i}`));
  for (let i = 0; i < all.length; i += 500) await app.orm.em.fork().transactional((tx) => recordEvents(tx, all.slice(i, i + 500)));
  expect(await unsentCount()).toBe(3000 + 2); // two LoanCreated as well

  const a = relayFor({ relayBatchSize: 100 });
  const b = relayFor({ relayBatchSize: 100 });
  a.start();
  await eventually(async () => a.leader, 20000, 'a leads');
  b.start();
  await eventually(async () => a.published >= 300, 20000, 'a under way');
  await a.crash();
  expect(a.published).toBeLessThan(3002);
  await eventually(async () => b.leader, 20000, 'b takes over');
  try {
    await eventually(async () => loans.every((l) => new Set(keysOf(l)).size === 1500), 60000, 'everything delivered');
    await eventually(async () => (await unsentCount()) === 0, 20000, 'all marked sent');
    for (const loanId of loans) {
      const first = firstArrivals(loanId);
      expect(first).toEqual([...first].sort((x, y) => x - y));
      expect(first).toHaveLength(1501);
    }
  } finally {
    await b.stop();
  }
});

it('purges sent rows older than the retention, never unsent ones', async () => {
  const loanId = await newLoan(); // no relay running: stays unsent
  const purger = relayFor({ retentionHours: 0 });
  const deleted = await purger.purge();
  expect(deleted).toBeGreaterThan(3000);
  const rows = await app.orm.em.fork().execute<{ aggregate_id: string; sent_at: Date | null }[]>('select aggregate_id, sent_at from outbox_event');
  expect(rows).toEqual([{ aggregate_id: loanId, sent_at: null }]);
});
