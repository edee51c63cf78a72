/**
 * A worker killed (SIGKILL, its own process) while repayments stream in: a new worker takes the loans'
 * workflow tasks over within seconds (sticky queue given up after 2 s, workflow task timeout 4 s), no
 * request waits past MUTATION_TIMEOUT_MS (it gets UNAVAILABLE instead), and resending every request with
 * its idempotency key leaves each repayment recorded exactly once, the workflow and the rows agreeing,
 * the ledger balanced. Prints how long writes stalled after the kill (no timing assert: see README).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Decimal } from '../../src/domain/money';
import { currentBusinessDate } from '../../src/services/business-date.service';
import { sql } from '../../src/services/sql';
import { createProduct } from '../graphql/fixtures';
import { activeLoan, createStaff, expectLedgerConsistent, ok, type Staff } from '../graphql/lifecycle';
import { startTestApp, type TestApp } from '../utils';

const REPAY = `mutation($l: ID!, $a: Decimal!, $k: String!) { recordRepayment(loanId: $l, amount: $a, idempotencyKey: $k) { id amount } }`;
const LOANS = 4;
const PER_LOAN = 24;
const AMOUNT = '5.00';

let app: TestApp;
let staff: Staff;
let child: ChildProcess | undefined;

function spawnWorker(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['-r', join(__dirname, 'support/ts-register.js'), join(__dirname, 'support/cob-worker.child.ts')], {
    env: { ...process.env, DATABASE_URL: app.config.databaseUrl, TEMPORAL_TASK_QUEUE: app.config.temporal.taskQueue, MIGRATE_ON_START: 'false' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('ready')) resolve(proc); });
    proc.once('exit', (code) => reject(new Error(`worker process exited with ${code} before it was ready`)));
  });
}

beforeAll(async () => {
  app = await startTestApp();
  staff = await createStaff(app);
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await app?.close();
});

it('resumes writes within seconds of a worker kill, and resent requests record each repayment exactly once', async () => {
  const productId = await createProduct(app, { maxPrincipal: '100000.00' });
  const today = await currentBusinessDate(app.orm.em.fork());
  const loanIds: string[] = [];
  for (let i = 0; i < LOANS; i++) {
    loanIds.push((await activeLoan(app, staff, productId, { principal: '2400.00', rate: '12', repayments: 12, disbursementDate: today })).loanId);
  }
  // From here on only the doomed worker polls this file's task queue.
  await app.worker!.stop();
  app.worker = undefined;
  child = await spawnWorker();

  const requests = loanIds.flatMap((l) => Array.from({ length: PER_LOAN }, (_, n) => ({ l, k: `kill-${l}-${n}` })));
  const outcomes = new Map<string, { code?: string; sent: number; at: number; ms: number }>();
  let killedAt = 0;
  let killed: Promise<unknown> | undefined;
  // One client per loan, sending its repayments one after another; the kill lands a third of the way in.
  await Promise.all(
    loanIds.map(async (l) => {
      for (const r of requests.filter((q) => q.l === l)) {
        const started = performance.now();
        const res = await app.gql(REPAY, { l: r.l, a: AMOUNT, k: r.k }, staff.officer.token);
        outcomes.set(r.k, { code: res.errors?.[0]?.extensions?.code as string | undefined, sent: started, at: performance.now(), ms: performance.now() - started });
        if (!killed && outcomes.size >= requests.length / 3) {
          killedAt = performance.now();
          const proc = child!;
          // A replacement worker comes up at once (in a deployment, the other replicas are already running).
          killed = new Promise((resolve) => proc.once('exit', resolve)).then(() => app.startWorker());
          proc.kill('SIGKILL');
        }
      }
    }),
  );
  await killed;

  // Every failure is typed and retry-safe; nothing hung past the mutation bound (plus HTTP slack).
  const failures = [...outcomes.values()].filter((o) => o.code);
  for (const f of failures) expect(f.code).toBe('UNAVAILABLE');
  const slowest = Math.max(...[...outcomes.values()].map((o) => o.ms));
  expect(slowest).toBeLessThan(app.config.temporal.mutationTimeoutMs + 5000);

  // The first repayment sent after the kill that succeeded: how long writes stalled.
  const firstAfter = Math.min(...[...outcomes.values()].filter((o) => !o.code && o.sent > killedAt).map((o) => o.at));
  console.log(`worker SIGKILL during ${requests.length} repayments: writes resumed ${((firstAfter - killedAt) / 1000).toFixed(1)} s after the kill; ` +
    `${failures.length} requests answered UNAVAILABLE; slowest request ${(slowest / 1000).toFixed(1)} s`);

  // Clients resend what failed, with the same keys; resending what succeeded returns the same transaction.
  for (const r of requests) {
    const res = await app.gql(REPAY, { l: r.l, a: AMOUNT, k: r.k }, staff.officer.token);
    expect(res.errors).toBeUndefined();
  }
  const counts = await sql<{ loan_id: string; n: number; total: string }>(app.orm.em.fork(),
    `select loan_id::text, count(*)::int as n, sum(amount)::text as total from loan_transaction where type = 'REPAYMENT' and loan_id = any(?::uuid[]) group by loan_id`,
    [`{${loanIds.join(',')}}`]);
  expect(counts.map((c) => [c.loan_id, c.n, new Decimal(c.total).toFixed(2)]).sort()).toEqual(loanIds.map((l) => [l, PER_LOAN, new Decimal(AMOUNT).times(PER_LOAN).toFixed(2)]).sort());
  for (const l of loanIds) {
    const loan = await ok(app, `query($id: ID!) { loan(id: $id) { stage status balances { principalOutstanding } } }`, { id: l }, app.token);
    expect(loan).toMatchObject({ stage: 'REPAYMENT', status: 'ACTIVE' });
    // The workflow agrees with the rows: it answers a further repayment from the same state.
    const next = await app.gql(REPAY, { l, a: '1.00', k: `after-${l}` }, staff.officer.token);
    expect(next.errors).toBeUndefined();
  }
  await expectLedgerConsistent(app);
});
