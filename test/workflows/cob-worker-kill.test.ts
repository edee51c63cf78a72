/**
 * A worker killed (SIGKILL, its own process) while a COB partition activity is running, after some
 * chunks have committed: a new worker picks the activity up after its heartbeat timeout (10 s), the run
 * completes, and every loan is closed for the date exactly once (one accrual, a balanced journal).
 * Own database, like cob.e2e.test.ts, so the business date belongs to this file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { temporal } from '@temporalio/proto';
import { interestEarnedBy } from '../../src/domain/accrual';
import { addDays } from '../../src/domain/dates';
import { Decimal } from '../../src/domain/money';
import { dropDatabase, openDatabase } from '../../src/database';
import { cobSettings } from '../../src/services/cob-run.service';
import { sql } from '../../src/services/sql';
import type { closeOfBusinessWorkflow } from '../../src/workflows/cob.workflow';
import { COB_WORKFLOW_TYPE, cobWorkflowId, type CobWorkflowInput } from '../../src/workflows/servicing-messages';
import { seedAccrualBook, expectAccrualJournal } from '../graphql/lifecycle';
import { eventually, startTestApp, type TestApp } from '../utils';

// COB workflow ids are per date on the shared Temporal server: a month no other test file closes
// (cob.e2e runs January to March 2027, the pipeline dashboard August 2027).
const START = '2027-11-01';
const ACTIVATED = 2;
const COPIES_EACH = 199;
const TOTAL = ACTIVATED * (1 + COPIES_EACH);

let app: TestApp;
let databaseUrl: string;
let child: ChildProcess | undefined;

async function rows<T = any>(query: string, params: unknown[] = []): Promise<T[]> {
  return sql<T>(app.orm.em.fork(), query, params);
}

/** Starts a worker in its own process on this file's task queue and database; resolves once it polls. */
async function spawnWorker(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['-r', join(__dirname, 'support/ts-register.js'), join(__dirname, 'support/cob-worker.child.ts')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: app.config.temporal.taskQueue, MIGRATE_ON_START: 'false' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('ready')) resolve(); });
    proc.once('exit', (code) => reject(new Error(`worker process exited with ${code} before it was ready`)));
  });
  return proc;
}

beforeAll(async () => {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_cobkill`;
  databaseUrl = url.toString();
  await (await openDatabase(databaseUrl, { migrate: true })).close();
  app = await startTestApp({ configure: (c) => { c.databaseUrl = databaseUrl; } });
  await seedAccrualBook(app, START, COPIES_EACH);
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await app?.close();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

it('completes COB after the worker running a partition is killed, posting every loan exactly once', async () => {
  const [{ n: active }] = await rows<{ n: number }>(`select count(*)::int as n from loan where status = 'ACTIVE' and disbursed_on = ?::date`, [START]);
  expect(active).toBe(TOTAL);

  // Only the doomed worker polls while COB starts: the partition activities run in its process.
  await app.worker!.stop();
  app.worker = undefined;
  child = await spawnWorker();
  // The default heartbeat timeout (10 s, a heartbeat every 2 s): what a dead worker costs in production.
  const input: CobWorkflowInput = { ...cobSettings(app.config), partitionSize: 200, chunkSize: 2, maxParallelPartitions: 2, upTo: START };
  const handle = await app.temporal.client.workflow.start<typeof closeOfBusinessWorkflow>(COB_WORKFLOW_TYPE, { taskQueue: input.taskQueue, workflowId: cobWorkflowId(START), args: [input] });

  await eventually(async () => (await rows(`select 1 from loan where last_cob_date = ?::date limit 1`, [START])).length > 0, 60000, 'a committed chunk');
  const killed = new Promise((resolve) => child!.once('exit', resolve));
  child.kill('SIGKILL');
  await killed;
  const [{ n: doneAtKill }] = await rows<{ n: number }>(`select count(*)::int as n from loan where last_cob_date = ?::date`, [START]);
  // The kill landed mid-run: some chunks committed, others not yet.
  expect(doneAtKill).toBeGreaterThan(0);
  expect(doneAtKill).toBeLessThan(TOTAL);

  const killedAt = performance.now();
  await app.startWorker();
  await eventually(async () => (await rows(`select 1 from loan where last_cob_date = ?::date`, [START])).length > doneAtKill, 60000, 'a chunk after the kill');
  console.log(`worker SIGKILL mid-COB: the partition resumed on the new worker ${((performance.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
  const result = await handle.result();
  expect(result.dates.map((d) => [d.date, d.partitions, d.failed])).toEqual([[START, 2, 0]]);

  // A partition activity really was retried (attempt 2 on the new worker) after the kill.
  const attempts: number[] = [];
  for (const p of ['p0', 'p1']) {
    const history = await app.temporal.client.workflow.getHandle(`${cobWorkflowId(START)}-${p}`).fetchHistory();
    for (const e of history.events ?? []) {
      if (e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) attempts.push(e.activityTaskStartedEventAttributes!.attempt!);
    }
  }
  expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);

  const [run] = await rows<{ status: string; loans_failed: number; loans_processed: number }>(`select status, loans_failed, loans_processed from cob_run where business_date = ?::date`, [START]);
  expect(run).toEqual({ status: 'COMPLETED', loans_failed: 0, loans_processed: 400 });
  expect(await rows(`select 1 from loan where status = 'ACTIVE' and (last_cob_date is null or last_cob_date <> ?::date)`, [START])).toHaveLength(0);
  expect(await rows(`select loan_id from loan_account_lock`)).toHaveLength(0);
  expect(await rows(`select id from cob_chunk_lock`)).toHaveLength(0);

  // One accrual per loan for the date, of the engine's amount for one day of the first period.
  const accruals = await rows<{ loan_id: string; n: number; amount: string; expected: string; accrued: string }>(`
    select l.id::text as loan_id, count(t.id)::int as n, coalesce(sum(t.amount), 0)::text as amount,
           (select sum(i.interest_accrued) from loan_installment i where i.loan_id = l.id)::text as accrued,
           (select i.interest_due::text || '|' || i.from_date::text || '|' || i.due_date::text from loan_installment i where i.loan_id = l.id and i.installment_number = 1) as expected
      from loan l left join loan_transaction t on t.loan_id = l.id and t.type = 'ACCRUAL'
     group by l.id`);
  expect(accruals).toHaveLength(TOTAL);
  for (const a of accruals) {
    const [interest, fromDate, dueDate] = a.expected.split('|');
    const first = { period: 1, fromDate, dueDate, due: { principal: new Decimal(0), interest: new Decimal(interest), fee: new Decimal(0), penalty: new Decimal(0) }, paid: {} as never, waived: {} as never };
    const oneDay = interestEarnedBy(first, addDays(START, 1), { digitsAfterDecimal: 2 });
    expect(oneDay.gt(0)).toBe(true);
    expect({ n: a.n, amount: new Decimal(a.amount).toFixed(2), accrued: new Decimal(a.accrued).toFixed(2) }).toEqual({ n: 1, amount: oneDay.toFixed(2), accrued: oneDay.toFixed(2) });
  }
  expect(await rows(`select loan_id, request_id from loan_transaction group by loan_id, request_id having count(*) > 1`)).toHaveLength(0);

  await expectAccrualJournal(app, TOTAL);
});
