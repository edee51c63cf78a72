/**
 * `npm run bench:cob -- [loans...]` (default 10000 100000): close of business through Temporal.
 *  1. seeds N active loans with realistic 12-month schedules (from the engine) straight into a fresh
 *     PostgreSQL database — some paid up, some overdue, on an accrual product with an overdue penalty charge;
 *  2. runs COB for one business date with ONE worker process (the first close of the seeded book: every
 *     overdue installment gets its penalty now), then for the next date with TWO, then for the date after
 *     with ONE again (a steady day: only newly overdue installments are charged);
 *  3. prints loans/s, time per business step, peak worker memory and Temporal history events.
 * Uses the Temporal server on TEMPORAL_ADDRESS, or starts an in-memory dev server. No thresholds.
 * `--profile <dir>`: the workers run with `--cpu-prof` and write one .cpuprofile each into <dir> when they stop.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { dataConverterFor } from '../src/temporal-codec';
import { dropDatabase, openDatabase } from '../src/database';
import { buildSchedule } from '../src/domain';
import { addDays, addMonths } from '../src/domain/dates';
import { withDefaults, type LoanScheduleSettings } from '../src/domain/product-settings';
import { sql } from '../src/services/sql';
import { COB_WORKFLOW_TYPE, type CobResult, type CobWorkflowInput } from '../src/workflows/servicing-messages';
import { isReachable, startDevServer, stopDevServer } from '../temporal/dev-server';
import { NODE_PROCESS_FLAGS } from '../src/node-flags';

export const BUSINESS_DATE = '2027-06-15';
const TEMPLATES = 48;

/** One disbursement per seeded loan and one repayment per paid installment, as the ledger would have them. */
export async function seedTransactions(em: Parameters<typeof sql>[0]): Promise<void> {
  await sql(em, `
    insert into loan_transaction (loan_id, type, amount, transaction_date, request_id, principal_portion)
    select id, 'DISBURSEMENT', principal, disbursed_on, 'bench-disbursement', principal from loan`);
  await sql(em, `
    insert into loan_transaction (loan_id, type, amount, transaction_date, request_id, principal_portion, interest_portion)
    select loan_id, 'REPAYMENT', principal_paid + interest_paid, due_date, 'bench-repayment-' || installment_number, principal_paid, interest_paid
      from loan_installment where completed`);
}

export async function seed(url: string, n: number): Promise<number> {
  const started = performance.now();
  await dropDatabase(url);
  const orm = await openDatabase(url, { migrate: true });
  const em = orm.em.fork();
  const [product] = await sql<{ id: string }>(em, `
    insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type, accounting_rule)
    values (gen_random_uuid(), 'Bench personal loan', 'USD', 2, 500, 50000, 5, 30, 6, 24, 1, 'MONTHS', 'ACCRUAL_PERIODIC') returning id::text`);
  // The overdue penalty: a flat 15.00 OVERDUE_INSTALLMENT charge 5 days after the due date, on the product and in every loan's terms.
  const [penalty] = await sql<{ id: string }>(em, `
    insert into charge (id, name, charge_time_type, charge_calculation_type, penalty, amount, currency_code, grace_days)
    values (gen_random_uuid(), 'Bench overdue penalty', 'OVERDUE_INSTALLMENT', 'FLAT', true, 15, 'USD', 5) returning id::text`);
  await sql(em, `insert into loan_product_charge (product_id, charge_id) values (?::uuid, ?::uuid)`, [product.id, penalty.id]);
  const terms: LoanScheduleSettings = {
    ...withDefaults({ repaymentEvery: 1, repaymentFrequencyType: 'MONTHS' }, 'USD'), currencyCode: 'USD', productSettingsVersion: null,
    charges: [{ name: 'Bench overdue penalty', amount: '15', chargeTimeType: 'OVERDUE_INSTALLMENT', chargeCalculationType: 'FLAT', penalty: true, graceDays: 5, feeInterval: null }],
  };
  // Templates: 48 schedules from the engine (disbursed over the last 11 months, 4 sizes), cycled over the loans.
  const rows: string[] = [];
  for (let t = 0; t < TEMPLATES; t++) {
    const disbursed = addDays(addMonths(BUSINESS_DATE, -11 + (t % 11)), -(t % 7));
    const model = buildSchedule({
      principal: (1000 + (t % 4) * 1500).toFixed(2), annualNominalInterestRate: (9 + (t % 5) * 2).toFixed(1), numberOfRepayments: 12,
      repaymentEvery: 1, repaymentFrequencyType: 'MONTHS', amortizationType: 'EQUAL_INSTALLMENTS', interestType: 'DECLINING_BALANCE',
      interestCalculationPeriodType: 'DAILY', daysInYearType: 'ACTUAL', daysInMonthType: 'ACTUAL', expectedDisbursementDate: disbursed, currencyCode: 'USD',
    });
    for (const p of model.periods) {
      rows.push(`(${t}, '${disbursed}', ${model.terms.principal.toFixed()}, ${p.period}, '${p.fromDate}', '${p.dueDate}', ${p.principalDue.toFixed()}, ${p.interestDue.toFixed()})`);
    }
  }
  await sql(em, `create table bench_template (t int, disbursed date, principal numeric, n int, from_date date, due_date date, principal_due numeric, interest_due numeric)`);
  await sql(em, `insert into bench_template values ${rows.join(',')}`);
  await sql(em, `
    insert into customer (id, first_name, last_name, email)
    select gen_random_uuid(), 'Bench', 'Borrower ' || g, 'bench-' || g || '@example.com' from generate_series(1, ?) g`, [n]);
  await sql(em, `
    insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every,
      repayment_frequency_type, status, stage, workflow_id, disbursed_on, last_cob_date, schedule_settings)
    select gen_random_uuid(), c.id, ?::uuid, t.principal, 'USD', 12, 12, 1, 'MONTHS', 'ACTIVE', 'REPAYMENT', 'bench', t.disbursed, ?::date - 1, ?::jsonb
      from (select id, row_number() over () as rn from customer) c
      join (select distinct t, disbursed, principal from bench_template) t on t.t = c.rn % ${TEMPLATES}`, [product.id, BUSINESS_DATE, JSON.stringify(terms)]);
  // Installments due before the business date are paid, except on every tenth loan (overdue: penalties, delinquency).
  await sql(em, `
    insert into loan_installment (loan_id, installment_number, from_date, due_date, principal_due, interest_due, fee_charges_due, penalty_charges_due,
      principal_paid, interest_paid, interest_accrued, completed)
    select l.id, t.n, t.from_date, t.due_date, t.principal_due, t.interest_due, 0, 0,
           case when paid then t.principal_due else 0 end, case when paid then t.interest_due else 0 end,
           case when t.due_date <= ?::date then t.interest_due else 0 end, paid
      from (select l.*, (row_number() over (order by l.id)) % 10 <> 0 as ok from loan l) l
      join bench_template t on t.disbursed = l.disbursed_on and t.principal = l.principal
      cross join lateral (select l.ok and t.due_date < ?::date as paid) p`, [BUSINESS_DATE, BUSINESS_DATE]);
  await sql(em, `drop table bench_template`);
  await sql(em, `update business_date set date = ?::date`, [addDays(BUSINESS_DATE, 2)]);
  await sql(em, `analyze`);
  const [{ installments }] = await sql<{ installments: string }>(em, `select count(*)::text as installments from loan_installment`);
  await orm.close();
  console.log(`  seeded ${n} loans, ${installments} installments in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return Number(installments);
}

/** Peak resident memory (VmHWM) of a process, in MiB, from /proc. */
function peakMiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** `--profile <dir>` of the command line: where the workers write their CPU profiles. */
const profileAt = process.argv.indexOf('--profile');
const profileDir = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;

function startWorkers(count: number, env: NodeJS.ProcessEnv): Promise<ChildProcess[]> {
  const script = join(__dirname, '..', 'src', 'worker.js');
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  return Promise.all(
    Array.from({ length: count }, () => new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn(process.execPath, [...NODE_PROCESS_FLAGS, ...profile, script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('worker started')) resolve(child); });
      child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    })),
  );
}

async function historyEvents(client: Client, workflowId: string): Promise<{ parent: number; children: number; childCount: number }> {
  const described = await client.workflow.getHandle(workflowId).describe();
  const parent = described.historyLength;
  const since = described.startTime.toISOString();
  let children = 0;
  let childCount = 0;
  for await (const w of client.workflow.list({ query: `WorkflowId STARTS_WITH "${workflowId}-p" AND StartTime >= "${since}"` })) {
    children += (await client.workflow.getHandle(w.workflowId, w.runId).describe()).historyLength;
    childCount++;
  }
  return { parent, children, childCount };
}

async function runCob(client: Client, date: string, workers: number, env: NodeJS.ProcessEnv, loans: number, input: Omit<CobWorkflowInput, 'upTo'>) {
  const procs = await startWorkers(workers, env);
  const workflowId = `cob-${date}`;
  const started = performance.now();
  const result = await client.workflow.execute<(i: CobWorkflowInput) => Promise<CobResult>>(COB_WORKFLOW_TYPE, {
    workflowId, taskQueue: input.taskQueue, args: [{ ...input, upTo: date }],
  });
  const seconds = (performance.now() - started) / 1000;
  const peaks = procs.map((p) => peakMiB(p.pid!));
  await Promise.all(procs.map((p) => new Promise((r) => { p.once('exit', r); p.kill('SIGINT'); })));
  const d = result.dates.find((x) => x.date === date)!;
  const history = await historyEvents(client, workflowId);
  console.log(`  ${workers} worker(s), COB ${date}: ${d.processed} loans (${d.failed} failed) in ${seconds.toFixed(1)} s = ${Math.round(d.processed / seconds)} loans/s; `
    + `${d.partitions} child workflows; peak worker RSS ${peaks.map((m) => `${m.toFixed(0)} MiB`).join(' + ')}; `
    + `history events: parent ${history.parent}, children ${history.children} (${history.childCount} runs)`);
  const total = Object.values(d.stepMillis).reduce((a, b) => a + b, 0);
  for (const [step, ms] of Object.entries(d.stepMillis)) {
    console.log(`      ${step.padEnd(34)} ${(ms / 1000).toFixed(1).padStart(6)} s  (${((100 * ms) / total).toFixed(0)}% of step time, summed over parallel chunks)`);
  }
  if (d.processed !== loans) throw new Error(`expected ${loans} loans processed, got ${d.processed}`);
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).filter((a, i, all) => all[i - 1] !== '--profile').map(Number).filter((x) => x > 0);
  const config = loadConfig();
  console.log(`COB benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  let server: ChildProcess | undefined;
  if (!(await isReachable(config.temporal.address))) {
    console.log(`  starting an in-memory Temporal dev server on ${config.temporal.address}`);
    server = await startDevServer({ address: config.temporal.address, namespace: config.temporal.namespace, headless: true, fastSqlite: true, log: () => undefined });
  }
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config.temporal) });
  try {
    for (const n of sizes.length ? sizes : [10000, 100000]) {
      const url = new URL(config.databaseUrl);
      url.pathname = `/loan_platform_bench_${n}`;
      console.log(`\n${n} loans`);
      await seed(url.toString(), n);
      const taskQueue = `bench-cob-${n}-${Date.now()}`;
      const env = {
        ...process.env, DATABASE_URL: url.toString(), TEMPORAL_TASK_QUEUE: taskQueue, MIGRATE_ON_START: 'false',
        OUTBOX_RELAY_ENABLED: 'false', NOTIFICATIONS_ENABLED: 'false', LOG_LEVEL: 'info', TEMPORAL_LOG_LEVEL: 'WARN',
      };
      const input = { partitionSize: config.cob.partitionSize, chunkSize: config.cob.chunkSize, maxParallelPartitions: config.cob.maxParallelPartitions, taskQueue };
      console.log(`  partition ${input.partitionSize} loans, chunk ${input.chunkSize}, ${input.maxParallelPartitions} children at once`);
      await runCob(client, BUSINESS_DATE, 1, env, n, input);
      await runCob(client, addDays(BUSINESS_DATE, 1), 2, env, n, input);
      await runCob(client, addDays(BUSINESS_DATE, 2), 1, env, n, input);
      await dropDatabase(url.toString());
    }
  } finally {
    await connection.close();
    if (server) await stopDevServer(server);
  }
}

// bench/reads.bench.ts imports seed(); run only as a script.
if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
