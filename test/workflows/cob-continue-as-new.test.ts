/**
 * The COB parent (`cob-<date>`) continues as new when Temporal suggests it while partitions remain,
 * and the chain of runs still closes every loan exactly once: its own dev server with a tiny
 * `limit.historyCount.suggestContinueAsNew`, small partitions (many child workflows), two at a time.
 * Own database, like cob-worker-kill.test.ts, so the business date belongs to this file.
 */
import type { ChildProcess } from 'node:child_process';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { addDays } from '../../src/domain/dates';
import { dropDatabase, openDatabase } from '../../src/database';
import { cobSettings } from '../../src/services/cob-run.service';
import { sql } from '../../src/services/sql';
import { payloadCodecFor } from '../../src/temporal-codec';
import type { closeOfBusinessWorkflow } from '../../src/workflows/cob.workflow';
import { COB_WORKFLOW_TYPE, cobWorkflowId, type CobPartitionInput, type CobWorkflowInput } from '../../src/workflows/servicing-messages';
import { startDevServer, stopDevServer } from '../../temporal/dev-server';
import { ok, seedAccrualBook, type Staff, expectAccrualJournal } from '../graphql/lifecycle';
import { startTestApp, type TestApp } from '../utils';

const ADDRESS = process.env.COB_CAN_TEMPORAL_ADDRESS ?? '127.0.0.1:7315';
const SUGGEST_AFTER_EVENTS = 40;
const START = '2027-05-03';
const ACTIVATED = 2;
const COPIES_EACH = 29;
const TOTAL = ACTIVATED * (1 + COPIES_EACH);
const PARTITION_SIZE = 3;
const PARTITIONS = Math.ceil(TOTAL / PARTITION_SIZE);

const { EventType } = temporal.api.enums.v1;

let server: ChildProcess | undefined;
let app: TestApp;
let databaseUrl: string;
let staff: Staff;

async function rows<T = any>(query: string, params: unknown[] = []): Promise<T[]> {
  return sql<T>(app.orm.em.fork(), query, params);
}

beforeAll(async () => {
  server = await startDevServer({
    address: ADDRESS,
    namespace: 'default',
    headless: true,
    fastSqlite: true,
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AFTER_EVENTS },
    log: () => undefined,
  });
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_cobcan`;
  databaseUrl = url.toString();
  await (await openDatabase(databaseUrl, { migrate: true })).close();
  app = await startTestApp({ configure: (c) => { c.databaseUrl = databaseUrl; c.temporal.address = ADDRESS; } });
  ({ staff } = await seedAccrualBook(app, START, COPIES_EACH));
});

afterAll(async () => {
  await app?.close();
  if (databaseUrl) await dropDatabase(databaseUrl);
  if (server) await stopDevServer(server);
});

interface Run {
  runId: string;
  status: string;
  input: CobWorkflowInput;
  children: { workflowId: string; input: CobPartitionInput }[];
  childStartFailures: number;
  continuedAs?: { runId: string; input: CobWorkflowInput };
}

/** A payload of the history as a value: opened with the platform's payload codec, then converted. */
async function valueOf(payload: Payload): Promise<any> {
  const [plain] = await payloadCodecFor(app.config.temporal).decode([payload]);
  return defaultPayloadConverter.fromPayload(plain);
}

/** Follows the chain of runs of a workflow id from its first run, reading each run's history. */
async function runChain(workflowId: string, firstRunId: string): Promise<Run[]> {
  const runs: Run[] = [];
  for (let runId: string | undefined = firstRunId; runId; runId = runs[runs.length - 1].continuedAs?.runId) {
    const handle = app.temporal.client.workflow.getHandle(workflowId, runId);
    const [description, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
    const run: Run = { runId, status: description.status.name, input: undefined as never, children: [], childStartFailures: 0 };
    for (const e of history.events ?? []) {
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
        run.input = await valueOf(e.workflowExecutionStartedEventAttributes!.input!.payloads![0]);
      } else if (e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) {
        const a = e.startChildWorkflowExecutionInitiatedEventAttributes!;
        run.children.push({ workflowId: a.workflowId!, input: await valueOf(a.input!.payloads![0]) });
      } else if (e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED) {
        run.childStartFailures++;
      } else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) {
        const a = e.workflowExecutionContinuedAsNewEventAttributes!;
        run.continuedAs = { runId: a.newExecutionRunId!, input: await valueOf(a.input!.payloads![0]) };
      }
    }
    runs.push(run);
  }
  return runs;
}

it('continues as new while partitions remain and still closes every loan exactly once', async () => {
  const [{ n: active }] = await rows<{ n: number }>(`select count(*)::int as n from loan where status = 'ACTIVE' and disbursed_on = ?::date`, [START]);
  expect(active).toBe(TOTAL);

  const input: CobWorkflowInput = { ...cobSettings(app.config), partitionSize: PARTITION_SIZE, chunkSize: 2, maxParallelPartitions: 2, upTo: START };
  const handle = await app.temporal.client.workflow.start<typeof closeOfBusinessWorkflow>(COB_WORKFLOW_TYPE, {
    taskQueue: input.taskQueue, workflowId: cobWorkflowId(START), args: [input],
  });
  const result = await handle.result();

  // The chain of runs: the first continued as new, the last completed, every one in between continued.
  const runs = await runChain(cobWorkflowId(START), handle.firstExecutionRunId);
  expect(runs.length).toBeGreaterThanOrEqual(2);
  expect(runs[0].status).toBe('CONTINUED_AS_NEW');
  expect(runs.slice(0, -1).every((r) => r.status === 'CONTINUED_AS_NEW')).toBe(true);
  expect(runs[runs.length - 1].status).toBe('COMPLETED');
  expect((await app.temporal.client.workflow.getHandle(cobWorkflowId(START)).describe()).runId).toBe(runs[runs.length - 1].runId);

  // Each continuation carries the date, the next child index (the children started so far) and the totals.
  let started = 0;
  for (const [i, run] of runs.entries()) {
    expect(run.input).toMatchObject({ upTo: START, partitionSize: PARTITION_SIZE, maxParallelPartitions: 2 });
    if (i === 0) expect(run.input.resume).toBeUndefined();
    else expect(run.input.resume).toMatchObject({ date: START, nextIndex: started });
    expect(run.childStartFailures).toBe(0);
    expect(run.children.length).toBeGreaterThan(0);
    started += run.children.length;
    if (run.continuedAs) {
      expect(run.continuedAs.input.resume).toMatchObject({ date: START, nextIndex: started });
      expect(run.continuedAs.input.resume!.totals.processed).toBe(started * PARTITION_SIZE);
    }
  }

  // Child workflow ids p0, p1, … each used once across all runs, every child completed, and their
  // id ranges disjoint, in order and covering each loan once.
  const children = runs.flatMap((r) => r.children);
  expect(children.map((c) => c.workflowId)).toEqual(children.map((_, i) => `${cobWorkflowId(START)}-p${i}`));
  expect(children).toHaveLength(PARTITIONS);
  for (const c of children) {
    expect((await app.temporal.client.workflow.getHandle(c.workflowId).describe()).status.name).toBe('COMPLETED');
  }
  for (let i = 1; i < children.length; i++) expect(children[i].input.fromId > children[i - 1].input.toId).toBe(true);
  const covered = await Promise.all(children.map(async (c) => {
    const [{ n }] = await rows<{ n: number }>(`select count(*)::int as n from loan where id between ?::uuid and ?::uuid`, [c.input.fromId, c.input.toId]);
    return n;
  }));
  expect(covered.reduce((a, b) => a + b, 0)).toBe(TOTAL);

  expect(result.dates.map((d) => ({ date: d.date, processed: d.processed, failed: d.failed, partitions: d.partitions })))
    .toEqual([{ date: START, processed: TOTAL, failed: 0, partitions: PARTITIONS }]);

  // The database: the run completed with every loan, each loan closed for the date once.
  const [run] = await rows<{ status: string; loans_failed: number; loans_processed: number; workflow_id: string }>(
    `select status, loans_failed, loans_processed, workflow_id from cob_run where business_date = ?::date`, [START]);
  expect(run).toEqual({ status: 'COMPLETED', loans_failed: 0, loans_processed: TOTAL, workflow_id: cobWorkflowId(START) });
  expect(await rows(`select 1 from loan where status = 'ACTIVE' and (last_cob_date is null or last_cob_date <> ?::date)`, [START])).toHaveLength(0);
  expect(await rows(`select loan_id from loan_account_lock`)).toHaveLength(0);
  expect(await rows(`select id from cob_chunk_lock`)).toHaveLength(0);

  // One accrual per loan for the date and one bulk outbox message per loan for the date.
  const perLoan = await rows<{ loan_id: string; accruals: number; bulk: number }>(`
    select l.id::text as loan_id,
           (select count(*)::int from loan_transaction t where t.loan_id = l.id and t.type = 'ACCRUAL' and t.transaction_date = ?::date) as accruals,
           (select count(*)::int from outbox_event o where o.type = 'BulkBusinessEvent' and o.idempotency_key = 'cob-' || ?::text || '-' || l.id::text) as bulk
      from loan l where l.status = 'ACTIVE'`, [START, START]);
  expect(perLoan).toHaveLength(TOTAL);
  expect(perLoan.filter((l) => l.accruals !== 1 || l.bulk !== 1)).toEqual([]);
  const [{ n: bulkTotal }] = await rows<{ n: number }>(`select count(*)::int as n from outbox_event where type = 'BulkBusinessEvent' and business_date = ?::date`, [START]);
  expect(bulkTotal).toBe(TOTAL);
  expect(await rows(`select loan_id, request_id from loan_transaction group by loan_id, request_id having count(*) > 1`)).toHaveLength(0);

  await expectAccrualJournal(app, TOTAL);
});

async function advanceTo(date: string): Promise<void> {
  await ok(app, `mutation($to: LocalDate) { advanceBusinessDate(to: $to, runCob: false) { businessDate } }`, { to: date }, staff.admin.token);
}

async function runCob(upTo: string) {
  const input: CobWorkflowInput = { ...cobSettings(app.config), partitionSize: PARTITION_SIZE, chunkSize: 2, maxParallelPartitions: 2, upTo };
  const handle = await app.temporal.client.workflow.start<typeof closeOfBusinessWorkflow>(COB_WORKFLOW_TYPE, {
    taskQueue: input.taskQueue, workflowId: cobWorkflowId(upTo), args: [input],
  });
  const result = await handle.result();
  return { result, runs: await runChain(cobWorkflowId(upTo), handle.firstExecutionRunId) };
}

it('catching up two dates across continue-as-new reports and closes both, each loan once per date', async () => {
  const [d1, d2] = [addDays(START, 1), addDays(START, 2)];
  await advanceTo(addDays(START, 3));
  const { result, runs } = await runCob(d2);

  expect(runs[0].status).toBe('CONTINUED_AS_NEW');
  expect(runs[runs.length - 1].status).toBe('COMPLETED');
  // It continued as new in the middle of both dates.
  expect(new Set(runs.slice(1).map((r) => r.input.resume!.date))).toEqual(new Set([d1, d2]));
  expect(runs.every((r) => r.childStartFailures === 0)).toBe(true);
  const children = runs.flatMap((r) => r.children.map((c) => c.workflowId));
  expect(children).toEqual([d1, d2].flatMap((d) => Array.from({ length: PARTITIONS }, (_, i) => `${cobWorkflowId(d)}-p${i}`)));

  // The last run's result reports the date an earlier run finished, too.
  expect(result.dates.map((d) => ({ date: d.date, processed: d.processed, failed: d.failed, partitions: d.partitions }))).toEqual([
    { date: d1, processed: TOTAL, failed: 0, partitions: PARTITIONS },
    { date: d2, processed: TOTAL, failed: 0, partitions: PARTITIONS },
  ]);
  expect(await rows(`select business_date::text as date, status, loans_processed, loans_failed, workflow_id from cob_run where business_date > ?::date order by business_date`, [START])).toEqual([
    { date: d1, status: 'COMPLETED', loans_processed: TOTAL, loans_failed: 0, workflow_id: cobWorkflowId(d2) },
    { date: d2, status: 'COMPLETED', loans_processed: TOTAL, loans_failed: 0, workflow_id: cobWorkflowId(d2) },
  ]);
  expect(await rows(`select 1 from loan where status = 'ACTIVE' and last_cob_date <> ?::date`, [d2])).toHaveLength(0);
  for (const d of [d1, d2]) {
    const [counts] = await rows<{ accruals: number; loans: number; bulk: number }>(`
      select (select count(*)::int from loan_transaction where type = 'ACCRUAL' and transaction_date = ?::date) as accruals,
             (select count(distinct loan_id)::int from loan_transaction where type = 'ACCRUAL' and transaction_date = ?::date) as loans,
             (select count(*)::int from outbox_event o join loan l on o.idempotency_key = 'cob-' || ?::text || '-' || l.id::text where o.type = 'BulkBusinessEvent') as bulk`,
    [d, d, d]);
    expect(counts).toEqual({ accruals: TOTAL, loans: TOTAL, bulk: TOTAL });
  }
  expect(await rows(`select loan_id, request_id from loan_transaction group by loan_id, request_id having count(*) > 1`)).toHaveLength(0);
  expect(await rows(`select loan_transaction_id from journal_entry group by loan_transaction_id having sum(case when entry_type = 'DEBIT' then amount else -amount end) <> 0`)).toHaveLength(0);
});

it('loans that fail early in the id order do not make every continued run start over on them', async () => {
  const d = addDays(START, 3);
  const FAILING = TOTAL / 2;
  // The first half of the loans (by id, so the first partitions of the plan) fail every step run.
  await rows(`create table cobcan_failing as select id from loan where status = 'ACTIVE' order by id limit ?`, [FAILING]);
  await rows(`
    create function cobcan_fail() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from cobcan_failing f where f.id = new.id) then raise exception 'injected failure for %', new.id; end if;
      return new;
    end $$`);
  await rows(`create trigger cobcan_fail before update of last_cob_date on loan for each row execute function cobcan_fail()`);
  try {
    await advanceTo(addDays(START, 4));
    const { result, runs } = await runCob(d);

    expect(runs[0].status).toBe('CONTINUED_AS_NEW');
    expect(runs[runs.length - 1].status).toBe('COMPLETED');
    // Every loan went to a child once: no partition of failed loans was handed out again.
    const children = runs.flatMap((r) => r.children);
    expect(children.map((c) => c.workflowId)).toEqual(children.map((_, i) => `${cobWorkflowId(d)}-p${i}`));
    expect(children).toHaveLength(PARTITIONS);
    expect(result.dates.map((x) => ({ date: x.date, processed: x.processed, failed: x.failed }))).toEqual([{ date: d, processed: TOTAL - FAILING, failed: FAILING }]);
    expect(await rows(`select status, loans_processed, loans_failed from cob_run where business_date = ?::date`, [d]))
      .toEqual([{ status: 'COMPLETED_WITH_FAILURES', loans_processed: TOTAL - FAILING, loans_failed: FAILING }]);

    const failing = await rows<{ id: string; last: string; errors: number; failedEvents: number; accruals: number }>(`
      select l.id::text, l.last_cob_date::text as last,
             (select count(*)::int from loan_account_lock k where k.loan_id = l.id and k.error like 'injected failure%') as errors,
             (select count(*)::int from outbox_event o where o.idempotency_key = 'cob-' || ?::text || '-' || l.id::text || '-failed') as "failedEvents",
             (select count(*)::int from loan_transaction t where t.loan_id = l.id and t.type = 'ACCRUAL' and t.transaction_date = ?::date) as accruals
        from loan l join cobcan_failing f on f.id = l.id`, [d, d]);
    expect(failing).toHaveLength(FAILING);
    expect(failing.filter((l) => l.last !== addDays(START, 2) || l.errors !== 1 || l.failedEvents !== 1 || l.accruals !== 0)).toEqual([]);
    const [ok2] = await rows<{ n: number; accruals: number; bulk: number }>(`
      select count(*)::int as n,
             sum((select count(*) from loan_transaction t where t.loan_id = l.id and t.type = 'ACCRUAL' and t.transaction_date = ?::date))::int as accruals,
             sum((select count(*) from outbox_event o where o.idempotency_key = 'cob-' || ?::text || '-' || l.id::text))::int as bulk
        from loan l where l.status = 'ACTIVE' and l.last_cob_date = ?::date`, [d, d, d]);
    expect(ok2).toEqual({ n: TOTAL - FAILING, accruals: TOTAL - FAILING, bulk: TOTAL - FAILING });
  } finally {
    await rows(`drop trigger if exists cobcan_fail on loan`);
    await rows(`drop function if exists cobcan_fail()`);
    await rows(`drop table if exists cobcan_failing`);
  }
});
