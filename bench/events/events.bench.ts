/**
 * `npm run bench:events`: business events through the outbox to RabbitMQ (RABBITMQ_URL, default the
 * local broker) on a fresh PostgreSQL database.
 *  1. baseline: raw publishes with confirms straight to RabbitMQ (what the broker alone does);
 *  2. drain: a backlog of BENCH_BACKLOG events (default 20000) in the outbox → relay → RabbitMQ, events/s;
 *  3. live: BENCH_WRITERS concurrent writers (default 8) committing one event per transaction (with the
 *     per-loan lock) for BENCH_SECONDS (default 10); committed events/s and end-to-end latency p50/p95/p99
 *     from the commit returning to a consumer receiving the message.
 * Prints the machine it ran on. No thresholds: figures go in the README.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import amqp from 'amqplib';
import { loadConfig } from '../../src/config';
import { dropDatabase, openDatabase } from '../../src/database';
import { decodeEvent, encodeEnvelope, encodePayload, normalizePayload } from '../../src/events/avro';
import { OutboxRelay } from '../../src/events/outbox-relay';
import { logger } from '../../src/logger';
import { recordEvent, recordEvents, type RecordEventInput } from '../../src/services/outbox.service';
import { sql } from '../../src/services/sql';

const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 20000);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 8);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LOANS = 200;

function repayment(loanId: string, key: string): RecordEventInput<'LoanRepaymentRecorded'> {
  return {
    type: 'LoanRepaymentRecorded', aggregateId: loanId, idempotencyKey: key,
    data: {
      loanId, customerId: loanId, transactionId: key, transactionDate: '2026-11-23', currencyCode: 'USD', amount: '125.40',
      principalPortion: '100.00', interestPortion: '25.40', outstandingBalance: '900.00', actorId: 'bench', actorRole: 'SYSTEM',
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const base = loadConfig();
  const url = new URL(base.databaseUrl);
  url.pathname = `/loan_platform_bench_events_${process.pid}`;
  const databaseUrl = url.toString();
  const exchange = `bench-events-${randomUUID().slice(0, 8)}`;
  const events = { ...base.events, exchange, relayPollMs: 1000 };
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log(`PostgreSQL ${base.databaseUrl.replace(/:[^:@/]*@/, ':***@')}, RabbitMQ ${events.rabbitmqUrl.replace(/:[^:@/]*@/, ':***@')}`);

  await dropDatabase(databaseUrl);
  const orm = await openDatabase(databaseUrl, { migrate: true });
  const em = orm.em.fork();
  await sql(em, `insert into customer (id, first_name, last_name, email) values ('00000000-0000-0000-0000-000000000001', 'Bench', 'Borrower', 'bench@example.com')`);
  const [product] = await sql<{ id: string }>(em, `
    insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type)
    values (gen_random_uuid(), 'Bench', 'USD', 2, 500, 50000, 5, 30, 6, 24, 1, 'MONTHS') returning id::text`);
  const loans = (await sql<{ id: string }>(em, `
    insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every,
      repayment_frequency_type, status, stage, workflow_id)
    select gen_random_uuid(), '00000000-0000-0000-0000-000000000001', ?::uuid, 1000, 'USD', 12, 12, 1, 'MONTHS', 'ACTIVE', 'REPAYMENT', 'bench'
      from generate_series(1, ?) returning id::text`, [product.id, LOANS])).map((r) => r.id);

  const conn = await amqp.connect(events.rabbitmqUrl);
  const ch = await conn.createConfirmChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const q = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  await ch.bindQueue(q.queue, exchange, '#');
  const received = new Map<string, number>();
  let receivedCount = 0;
  let onReceive: (() => void) | undefined;
  const consumer = await conn.createChannel();
  await consumer.prefetch(1000);
  await consumer.consume(q.queue, (msg) => {
    if (!msg) return;
    const key = decodeEvent(msg.content).idempotencyKey;
    if (!received.has(key)) {
      received.set(key, performance.now());
      receivedCount++;
    }
    consumer.ack(msg);
    onReceive?.();
  });
  const waitReceived = (n: number) => new Promise<void>((resolve) => {
    const check = () => (receivedCount >= n ? resolve() : undefined);
    onReceive = check;
    check();
  });

  // 1. Baseline: the broker alone (same envelope size, batches of 500 with confirms).
  {
    const sample = repayment(loans[0], 'baseline');
    const payload = encodePayload(sample.type, normalizePayload(sample.type, sample.data), loans[0], null);
    const start = performance.now();
    const before = receivedCount;
    for (let i = 0; i < BACKLOG; i++) {
      const body = encodeEnvelope({
        id: i, source: 'bench', type: sample.type, category: 'LOAN', createdAt: new Date().toISOString(), businessDate: null,
        idempotencyKey: `baseline-${i}`, aggregateType: 'Loan', aggregateId: loans[i % LOANS], dataschema: 'org.loanplatform.avro.loan.v1.LoanRepaymentRecordedV1', data: payload,
      });
      ch.publish(exchange, 'loan.LoanRepaymentRecorded', body, { persistent: true });
      if (i % 500 === 499) await ch.waitForConfirms();
    }
    await ch.waitForConfirms();
    const published = (performance.now() - start) / 1000;
    await waitReceived(before + BACKLOG);
    console.log(`baseline  raw publish + confirms          ${(BACKLOG / published).toFixed(0).padStart(7)} events/s  (${BACKLOG} events, no database)`);
  }

  // 2. Drain a backlog through the relay.
  {
    const inputs: RecordEventInput[] = [];
    for (let i = 0; i < BACKLOG; i++) inputs.push(repayment(loans[i % LOANS], `backlog-${i}`));
    const writeStart = performance.now();
    for (let i = 0; i < inputs.length; i += 500) await orm.em.fork().transactional((tx) => recordEvents(tx, inputs.slice(i, i + 500)));
    const writeSeconds = (performance.now() - writeStart) / 1000;
    const before = receivedCount;
    const relay = new OutboxRelay({ databaseUrl, events, log: logger });
    const start = performance.now();
    relay.start();
    await waitReceived(before + BACKLOG);
    const seconds = (performance.now() - start) / 1000;
    console.log(`outbox    write (500 per transaction)      ${(BACKLOG / writeSeconds).toFixed(0).padStart(7)} events/s`);
    console.log(`relay     drain backlog → RabbitMQ → consumer ${(BACKLOG / seconds).toFixed(0).padStart(4)} events/s  (${BACKLOG} events in ${seconds.toFixed(2)} s)`);

    // 3. Live writers: one event per transaction, end-to-end latency.
    const commitAt = new Map<string, number>();
    let committed = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const liveStart = performance.now();
    await Promise.all(Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const key = `live-${w}-${i}`;
        await orm.em.fork().transactional((tx) => recordEvent(tx, repayment(loans[(w * 7919 + i) % LOANS], key)));
        commitAt.set(key, performance.now());
        committed++;
      }
    }));
    const liveSeconds = (performance.now() - liveStart) / 1000;
    await waitReceived(before + BACKLOG + committed);
    const latencies = [...commitAt].map(([key, t]) => received.get(key)! - t).sort((a, b) => a - b);
    console.log(`live      ${WRITERS} writers, 1 event per transaction  ${(committed / liveSeconds).toFixed(0).padStart(5)} events/s committed and delivered (${committed} in ${liveSeconds.toFixed(1)} s)`);
    console.log(`latency   commit → consumer: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`);
    await relay.stop();
  }

  await consumer.close();
  await ch.deleteExchange(exchange);
  await conn.close();
  await orm.close();
  await dropDatabase(databaseUrl);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
