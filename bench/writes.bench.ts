/**
 * `npm run bench:writes -- [--requests 400] [--concurrency 20] [--loans 100] [--single 50] [--setup-concurrency 8]
 *                         [--temporal file|memory|running] [--profile <dir>] [--mode production|development] [--repayments-only]`:
 * the write path through the real stack (HTTP → GraphQL → PostgreSQL → Temporal workflow → worker).
 *  1. creates a fresh database, starts ONE worker (`node dist/src/worker.js`) and the API
 *     (`node dist/src/main.js`) as child processes, on a dev server of its own: by default with a SQLite
 *     file in WAL mode as `npm start` runs it (`file`), or in memory (`memory`), or the Temporal already
 *     on TEMPORAL_ADDRESS (`running`); `--profile <dir>` runs both children with `--cpu-prof` into <dir>;
 *  2. over GraphQL: logs in as the admin, creates staff users, a product and `--loans` borrowers, and
 *     walks each borrower's loan to ACTIVE (submit → KYC → offer → acceptance → approval → signature → activation);
 *  3. measures `applyForLoan` (a LOAN_OFFICER applying for the borrowers, round-robin) and `recordRepayment`
 *     (amount 1.00, a fresh idempotencyKey each; every concurrent slot owns its own loans, so requests in
 *     flight never hit the same loan) at `--concurrency`, `--requests` each, plus the single-client latency;
 *  4. prints requests, errors, req/s and p50/p95/p99 latency, and the CPU each part used per request (API, worker,
 *     dev server, PostgreSQL; from /proc) — where the time goes; with `--profile` one CPU profile per phase and
 *     process (API and worker main threads; the worker's workflow thread in its `--cpu-prof` file);
 *     drops the database and stops the children.
 * No thresholds: figures depend on the machine (printed first).
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config';
import { NODE_PROCESS_FLAGS } from '../src/node-flags';
import { dropDatabase, openDatabase } from '../src/database';
import { freePort, isReachable, startDevServer, stopDevServer } from '../temporal/dev-server';

// ---- GraphQL operations (copied from examples/ and test/graphql/lifecycle.ts, fixtures.ts) ----
const LOGIN = `mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken accessTokenExpiresAt refreshToken user { id email roles } }
}`;
const CREATE_STAFF = `mutation CreateStaffUser($input: CreateStaffUserInput!) { createStaffUser(input: $input) { id email roles active } }`;
const CREATE_PRODUCT = `mutation CreateLoanProduct($input: CreateLoanProductInput!) {
  createLoanProduct(input: $input) {
    id name currencyCode digitsAfterDecimal minPrincipal maxPrincipal minInterestRate maxInterestRate
    minNumberOfRepayments maxNumberOfRepayments repaymentEvery repaymentFrequencyType
  }
}`;
const REGISTER = `mutation Register($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id email roles } } }`;
const UPDATE_PROFILE = `mutation UpdateCustomerProfile($customerId: ID!, $input: CustomerProfileInput!) { updateCustomerProfile(customerId: $customerId, input: $input) { id } }`;
const APPLY = `mutation ApplyForLoan($input: ApplyForLoanInput!) {
  applyForLoan(input: $input) {
    id status stage principal currencyCode annualInterestRate numberOfRepayments
    workflow { workflowId runId url searchUrl }
  }
}`;
const SUBMIT = `mutation($l: ID!) { submitApplication(loanId: $l) { id } }`;
const ASSIGN_KYC = `mutation($l: ID!, $r: ID!) { assignKycReviewer(loanId: $l, reviewerId: $r) { id } }`;
const KYC_CHECKLIST = `mutation($l: ID!, $i: [KycChecklistItemInput!]!) { completeKycChecklist(loanId: $l, items: $i) { id } }`;
const DECIDE_KYC = `mutation($l: ID!) { decideKyc(loanId: $l, approve: true) { stage } }`;
const SEND_OFFER = `mutation($l: ID!, $p: Decimal!, $r: Decimal!, $n: Int!) { sendOffer(loanId: $l, principal: $p, annualInterestRate: $r, numberOfRepayments: $n) { id } }`;
const ACCEPT_OFFER = `mutation($l: ID!) { acceptOffer(loanId: $l, offerNumber: 1) { id } }`;
const APPROVE = `mutation($l: ID!) { approveLoan(loanId: $l, level: INTERNAL) { stage origination { agreement { documentHash } } } }`;
const SIGN = `mutation($l: ID!, $h: String!) { signAgreement(loanId: $l, signerName: "Bench Borrower", documentHash: $h) { id } }`;
const ACTIVATE = `mutation($l: ID!, $d: LocalDate!) { activateLoan(loanId: $l, disbursementDate: $d) { stage status } }`;
const BUSINESS_DATE = `query BusinessDate { businessDate }`;
const REPAY = `mutation RecordRepayment($loanId: ID!, $amount: Decimal!, $key: String!, $paymentType: String) {
  recordRepayment(loanId: $loanId, amount: $amount, idempotencyKey: $key, paymentType: $paymentType) {
    id type amount transactionDate principalPortion interestPortion feePortion penaltyPortion overpaymentPortion
  }
}`;

const PASSWORD = 'bench-password-123';
const ALL_CHECKS = ['IDENTITY_VERIFIED', 'ADDRESS_VERIFIED', 'INCOME_VERIFIED', 'SANCTIONS_SCREENED'].map((item) => ({ item, checked: true }));
const TERMS = { principal: '5000.00', rate: '12.5', repayments: 12 };
const REQUEST_TIMEOUT_MS = 60_000;

interface Options {
  requests: number;
  concurrency: number;
  loans: number;
  single: number;
  setupConcurrency: number;
  temporal: 'file' | 'memory' | 'running';
  profile: string;
  mode: DeploymentMode;
  /** Measure recordRepayment only (a profile of the worker's workflow thread then covers repayments alone). */
  repaymentsOnly: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { requests: 400, concurrency: 20, loans: 100, single: 50, setupConcurrency: 8, temporal: 'file', profile: '', mode: 'production', repaymentsOnly: false };
  const keys: Record<string, 'requests' | 'concurrency' | 'loans' | 'single' | 'setupConcurrency'> = {
    '--requests': 'requests', '--concurrency': 'concurrency', '--loans': 'loans', '--single': 'single', '--setup-concurrency': 'setupConcurrency',
  };
  const usage = `usage: writes.bench.js [--requests N] [--concurrency N] [--loans N] [--single N] [--setup-concurrency N] [--temporal file|memory|running] [--profile DIR] [--mode production|development] [--repayments-only] (got "${argv.join(' ')}")`;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--repayments-only') {
      opts.repaymentsOnly = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (flag === '--temporal') {
      if (raw !== 'file' && raw !== 'memory' && raw !== 'running') throw new Error(usage);
      opts.temporal = raw;
      continue;
    }
    if (flag === '--profile') {
      if (!raw) throw new Error(usage);
      opts.profile = raw;
      continue;
    }
    if (flag === '--mode') {
      if (raw !== 'production' && raw !== 'development') throw new Error(usage);
      opts.mode = raw;
      continue;
    }
    const key = keys[flag];
    const n = Number(raw);
    if (!key || !Number.isInteger(n) || n < 0) throw new Error(usage);
    opts[key] = n;
  }
  if (opts.concurrency < 1) throw new Error('--concurrency must be at least 1');
  if (opts.loans < opts.concurrency) {
    throw new Error(`--loans (${opts.loans}) must be at least --concurrency (${opts.concurrency}): each concurrent repayment slot needs a loan of its own`);
  }
  return opts;
}

// ---- how the children run ----
export type DeploymentMode = 'production' | 'development';

/**
 * The API and worker run as deployed by default: NODE_ENV=production with the secrets production
 * requires, generated for the run (libraries such as graphql-js skip their development-only checks
 * then: graphql's `instanceOf` was 5 % of a loan read's CPU in development). `development`: as
 * `npm start` runs them (generated dev secrets in .data/).
 */
export function deploymentEnv(mode: DeploymentMode): { env: NodeJS.ProcessEnv; admin: { email: string; password: string } } {
  const config = loadConfig();
  if (mode === 'development') return { env: {}, admin: { email: config.auth.adminEmail, password: config.auth.adminPassword } };
  const password = `bench-${randomBytes(12).toString('base64url')}`;
  return {
    env: {
      NODE_ENV: 'production', JWT_SECRET: randomBytes(48).toString('base64'), TEMPORAL_PAYLOAD_KEY: randomBytes(32).toString('base64'),
      ADMIN_EMAIL: config.auth.adminEmail, ADMIN_PASSWORD: password,
    },
    admin: { email: config.auth.adminEmail, password },
  };
}

// ---- HTTP / GraphQL ----
interface GqlResult { data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string } }[] }

export class Api {
  constructor(readonly url: string) {}

  async post(query: string, variables: Record<string, unknown>, token?: string): Promise<GqlResult> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as GqlResult;
    } catch {
      return { errors: [{ message: `HTTP ${res.status}: ${text.slice(0, 300)}`, extensions: { code: `HTTP_${res.status}` } }] };
    }
  }

  /** The operation's only root field, or throws with the GraphQL errors. */
  async ok(query: string, variables: Record<string, unknown>, token?: string): Promise<any> {
    const r = await this.post(query, variables, token);
    if (r.errors?.length || !r.data) throw new Error(`${query.replace(/\s+/g, ' ').slice(0, 70)}: ${JSON.stringify(r.errors)}`);
    return Object.values(r.data)[0];
  }
}

/** The `cid` claim of a CUSTOMER access token is its customer id. */
function customerIdOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { cid: string }).cid;
}

async function pool<T>(count: number, concurrency: number, task: (i: number, slot: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async (_, slot) => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i, slot);
    }
  }));
  return out;
}

// ---- child processes ----
const children: ChildProcess[] = [];

/** Spawns a dist script; resolves once a stdout log line contains `ready`. Warnings and errors (pino level ≥ 40) are echoed, each message at most 3 times. */
export function spawnChild(name: string, script: string, env: NodeJS.ProcessEnv, ready: string, nodeArgs: string[] = [], timeoutMs = 120_000): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // As deployed: the flags scripts/start.ts and the Dockerfile run the API and worker with.
    const child = spawn(process.execPath, [...NODE_PROCESS_FLAGS, ...nodeArgs, join(__dirname, '..', script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const seen = new Map<string, number>();
    let started = false;
    const timer = setTimeout(() => reject(new Error(`${name} did not log "${ready}" within ${timeoutMs / 1000} s`)), timeoutMs);
    const echo = (line: string) => {
      let level = 50;
      let msg = line;
      try {
        const j = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
        level = j.level ?? 30;
        msg = `${j.msg ?? ''}${j.err?.message ? `: ${j.err.message}` : ''}`;
      } catch { /* not JSON: show it */ }
      if (level < 40) return;
      const n = (seen.get(msg) ?? 0) + 1;
      seen.set(msg, n);
      if (n <= 3) console.error(`  [${name}] ${line.length > 600 ? `${line.slice(0, 600)}…` : line}${n === 3 ? ' (further repeats hidden)' : ''}`);
    };
    const lines = (stream: NodeJS.ReadableStream, onLine: (l: string) => void) => {
      let buf = '';
      stream.on('data', (b: Buffer) => {
        buf += b.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
    };
    lines(child.stdout!, (l) => {
      if (!started && l.includes(ready)) {
        started = true;
        clearTimeout(timer);
        resolve(child);
      }
      echo(l);
    });
    lines(child.stderr!, (l) => { if (l.trim()) console.error(`  [${name} stderr] ${l}`); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`${name} exited with ${code ?? signal} before it was ready`));
      else if (!stopping && !stopped.has(child)) console.error(`  [${name}] exited unexpectedly with ${code ?? signal}`);
    });
  });
}

let stopping = false;
/** Children stopped on purpose before the end (stopChild). */
const stopped = new WeakSet<ChildProcess>();

/** Stops one child (SIGINT; SIGKILL after 15 s) and waits for it to exit. */
export function stopChild(child: ChildProcess): Promise<void> {
  stopped.add(child);
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => { clearTimeout(timer); r(); });
    child.kill('SIGINT');
  });
}
export async function stopChildren(): Promise<void> {
  stopping = true;
  await Promise.all(children.map(stopChild));
}


// ---- measurement ----
interface Outcome { ms: number; error?: string }

async function timed(call: () => Promise<GqlResult>, check: (r: GqlResult) => boolean): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const r = await call();
    const ms = performance.now() - t0;
    if (r.errors?.length) {
      const e = r.errors[0];
      return { ms, error: `${e.extensions?.code ?? 'ERROR'}: ${e.message}` };
    }
    if (!check(r)) return { ms, error: `unexpected response: ${JSON.stringify(r).slice(0, 200)}` };
    return { ms };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const detail = e.name === 'TimeoutError' ? `timeout after ${REQUEST_TIMEOUT_MS / 1000} s` : `${e.name}: ${e.message}${e.cause ? ` (${e.cause.code ?? e.cause.message})` : ''}`;
    return { ms: performance.now() - t0, error: detail };
  }
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function report(label: string, outcomes: Outcome[], seconds: number, concurrency: number): void {
  const errors = outcomes.filter((o) => o.error);
  const lat = outcomes.filter((o) => !o.error).map((o) => o.ms).sort((a, b) => a - b);
  const f = (ms: number) => `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;
  console.log(`  ${label.padEnd(16)} c=${String(concurrency).padStart(2)}: ${outcomes.length} requests, ${errors.length} errors in ${seconds.toFixed(1)} s = `
    + `${(outcomes.length / seconds).toFixed(1)} req/s (${(lat.length / seconds).toFixed(1)} ok/s); `
    + `latency p50 ${f(percentile(lat, 50))}, p95 ${f(percentile(lat, 95))}, p99 ${f(percentile(lat, 99))}, max ${f(lat[lat.length - 1] ?? NaN)}`);
  const byError = new Map<string, number>();
  for (const e of errors) byError.set(e.error!, (byError.get(e.error!) ?? 0) + 1);
  for (const [msg, n] of [...byError].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`      ${String(n).padStart(5)} × ${msg}`);
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 when it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every PostgreSQL process (the server runs on this machine). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres') total += cpuSeconds(Number(d));
    } catch { /* gone */ }
  }
  return total;
}

/** CPU seconds per thread name of a process (the main JS thread is named after the process). */
function threadCpuSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try {
        const comm = readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim();
        // Node names its main thread and worker threads alike: tell the main thread apart.
        const name = Number(t) === pid ? 'main' : comm;
        const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
      } catch { /* thread gone */ }
    }
  } catch { /* process gone */ }
  return out;
}

/** A process and its children (the dev server may run under a wrapper). */
function childTreeCpuSeconds(pid: number): number {
  let total = cpuSeconds(pid);
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += cpuSeconds(Number(c));
    }
  } catch { /* gone */ }
  return total;
}

/** The parts whose CPU a phase reports: the API, the worker, the dev server (if ours) and PostgreSQL. */
const parts: { name: string; cpu: () => number }[] = [];
let profileDir = '';
let workerPid = 0;

function machineCpuSeconds(): number {
  const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / 100;
}

async function run(label: string, count: number, concurrency: number, call: (i: number, slot: number) => Promise<Outcome>): Promise<void> {
  if (count === 0) return;
  const phase = `${label}-c${concurrency}`;
  if (profileDir) {
    // Close the previous phase's profile (written under its label), then sample this phase.
    for (const c of children) if (c.pid) process.kill(c.pid, 'SIGWINCH');
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(profileDir, '.label'), phase);
  }
  const before = parts.map((p) => p.cpu());
  const workerThreadsBefore = workerPid ? threadCpuSeconds(workerPid) : new Map<string, number>();
  const machineBefore = machineCpuSeconds();
  const started = performance.now();
  const outcomes = await pool(count, concurrency, call);
  const seconds = (performance.now() - started) / 1000;
  report(label, outcomes, seconds, concurrency);
  const used = parts.map((p, i) => `${p.name} ${((p.cpu() - before[i]) * 1000 / count).toFixed(1)}`);
  const busy = (machineCpuSeconds() - machineBefore) / seconds / cpus().length;
  if (workerPid) {
    // Which of the worker's threads: the JS main thread (activities, SDK glue), the workflow thread(s), the Rust core (tokio), GC…
    const after = threadCpuSeconds(workerPid);
    const threads = [...after].map(([name, sec]) => [name, ((sec - (workerThreadsBefore.get(name) ?? 0)) * 1000) / count] as const)
      .filter(([, ms]) => ms >= 0.1).sort((a, b) => b[1] - a[1]);
    console.log(`      worker threads, CPU ms per request: ${threads.map(([n, ms]) => `${n} ${ms.toFixed(1)}`).join(', ')}`);
  }
  console.log(`      CPU ms per request: ${used.join(', ')}; machine ${(busy * 100).toFixed(0)} % busy over ${cpus().length} cores (the bench client included)`);
  if (profileDir) {
    for (const c of children) if (c.pid) process.kill(c.pid, 'SIGWINCH');
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(profileDir, '.label'), 'between');
  }
}

// ---- setup ----
interface Staff { admin: string; officer: string; officer2: string; manager: string; kyc: string; kycId: string }

async function createStaff(api: Api, adminToken: string): Promise<Staff> {
  const suffix = randomUUID().slice(0, 8);
  const make = async (role: string, n: number) => {
    const email = `bench-${role.toLowerCase()}-${n}-${suffix}@example.com`;
    await api.ok(CREATE_STAFF, { input: { email, password: PASSWORD, roles: [role] } }, adminToken);
    const login = await api.ok(LOGIN, { email, password: PASSWORD });
    return { token: login.accessToken as string, id: login.user.id as string };
  };
  const [officer, officer2, manager, kyc] = await Promise.all([make('LOAN_OFFICER', 1), make('LOAN_OFFICER', 2), make('MANAGER', 1), make('KYC_OFFICER', 1)]);
  return { admin: adminToken, officer: officer.token, officer2: officer2.token, manager: manager.token, kyc: kyc.token, kycId: kyc.id };
}

async function registerBorrower(api: Api, i: number): Promise<{ token: string; customerId: string }> {
  const email = `bench-borrower-${i}-${randomUUID().slice(0, 8)}@example.com`;
  const reg = await api.ok(REGISTER, { input: { firstName: 'Bench', lastName: `Borrower ${i}`, email, password: PASSWORD } });
  const token = reg.accessToken as string;
  const customerId = customerIdOf(token);
  await api.ok(UPDATE_PROFILE, {
    customerId, input: { monthlyIncome: '9000', monthlyObligations: '300', employmentStatus: 'EMPLOYED', employmentYears: 6 },
  }, token);
  return { token, customerId };
}

/** As test/graphql/lifecycle.ts activeLoan: one application walked through every stage to ACTIVE. */
async function activeLoan(api: Api, staff: Staff, productId: string, borrower: { token: string; customerId: string }, disbursementDate: string): Promise<string> {
  const { token, customerId } = borrower;
  const loanId = (await api.ok(APPLY, { input: {
    customerId, productId, principal: TERMS.principal, currencyCode: 'USD', annualInterestRate: TERMS.rate, numberOfRepayments: TERMS.repayments,
  } }, token)).id as string;
  await api.ok(SUBMIT, { l: loanId }, token);
  await api.ok(ASSIGN_KYC, { l: loanId, r: staff.kycId }, staff.manager);
  await api.ok(KYC_CHECKLIST, { l: loanId, i: ALL_CHECKS }, staff.kyc);
  const kyc = await api.ok(DECIDE_KYC, { l: loanId }, staff.manager);
  if (kyc.stage !== 'DISCUSSION') throw new Error(`expected DISCUSSION after KYC, got ${kyc.stage}`);
  await api.ok(SEND_OFFER, { l: loanId, p: TERMS.principal, r: TERMS.rate, n: TERMS.repayments }, staff.officer);
  await api.ok(ACCEPT_OFFER, { l: loanId }, token);
  const approved = await api.ok(APPROVE, { l: loanId }, staff.officer2);
  if (approved.stage !== 'AGREEMENT') throw new Error(`expected AGREEMENT after approval, got ${approved.stage}`);
  await api.ok(SIGN, { l: loanId, h: approved.origination.agreement.documentHash }, token);
  const active = await api.ok(ACTIVATE, { l: loanId, d: disbursementDate }, staff.officer);
  if (active.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${active.status}`);
  return loanId;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const cpu = cpus();
  console.log(`Write-path benchmark on ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log(`  ${opts.requests} requests per measurement at concurrency ${opts.concurrency}, ${opts.single} single-client; ${opts.loans} active loans; API and worker in ${opts.mode} mode`);

  let devServer: ChildProcess | undefined;
  let temporalAddress = config.temporal.address;
  const sqliteDir = mkdtempSync(join(tmpdir(), 'bench-writes-temporal-'));
  if (opts.temporal === 'running' && (await isReachable(temporalAddress))) {
    console.log(`  Temporal already running on ${temporalAddress}`);
  } else {
    temporalAddress = `127.0.0.1:${await freePort()}`;
    const dbFile = opts.temporal === 'file' ? join(sqliteDir, 'temporal.sqlite') : undefined;
    console.log(`  starting a Temporal dev server on ${temporalAddress}, ${dbFile ? `SQLite file in WAL mode (as npm start): ${dbFile}` : 'in memory'}`);
    devServer = await startDevServer({ address: temporalAddress, namespace: config.temporal.namespace, headless: true, dbFile, log: () => undefined });
  }
  const url = new URL(config.databaseUrl);
  url.pathname = `/loan_platform_bench_writes_${process.pid}`;
  const databaseUrl = url.toString();
  try {
    let t0 = performance.now();
    await dropDatabase(databaseUrl);
    const orm = await openDatabase(databaseUrl, { migrate: true });
    await orm.close();
    const port = await freePort();
    const deployment = deploymentEnv(opts.mode);
    const env: NodeJS.ProcessEnv = {
      ...process.env, ...deployment.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: `bench-writes-${Date.now()}`, PORT: String(port), MIGRATE_ON_START: 'false',
      COB_SCHEDULE_ENABLED: 'false', OUTBOX_RELAY_ENABLED: 'false', NOTIFICATIONS_ENABLED: 'false', LOG_LEVEL: 'info', TEMPORAL_LOG_LEVEL: 'WARN',
      // One client IP registers and signs in every borrower: lift the per-IP abuse limits for the run.
      RATE_LIMIT_REGISTER_IP: '1000000/60', RATE_LIMIT_REGISTER_ACCOUNT: '1000000/60', RATE_LIMIT_LOGIN_IP: '1000000/60',
    };
    // --profile: the sampling profiler preloaded (one profile per phase on SIGWINCH, bench/cpu-profile.ts);
    // the worker also runs with --cpu-prof, the only way to profile its workflow thread.
    if (opts.profile) {
      profileDir = opts.profile;
      writeFileSync(join(profileDir, '.label'), 'setup');
      env.CPU_PROFILE_DIR = profileDir;
    }
    const preload = opts.profile ? ['-r', join(__dirname, 'cpu-profile.js')] : [];
    const [worker, apiChild] = await Promise.all([
      spawnChild('worker', 'src/worker.js', env, 'worker started', opts.profile ? [...preload, '--cpu-prof', `--cpu-prof-dir=${opts.profile}`] : []),
      spawnChild('api', 'src/main.js', env, 'GraphQL API on', preload),
    ]);
    parts.push({ name: 'API', cpu: () => cpuSeconds(apiChild.pid!) }, { name: 'worker', cpu: () => cpuSeconds(worker.pid!) });
    workerPid = worker.pid!;
    if (devServer?.pid) parts.push({ name: 'dev server', cpu: () => childTreeCpuSeconds(devServer!.pid!) });
    parts.push({ name: 'PostgreSQL', cpu: postgresCpuSeconds });
    console.log(`  database ${url.pathname.slice(1)} migrated, worker and API (:${port}) started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const api = new Api(`http://127.0.0.1:${port}/graphql`);

    t0 = performance.now();
    const admin = (await api.ok(LOGIN, deployment.admin)).accessToken as string;
    const staff = await createStaff(api, admin);
    const productId = (await api.ok(CREATE_PRODUCT, { input: {
      name: 'Bench personal loan', currencyCode: 'USD', minPrincipal: '500.00', maxPrincipal: '50000.00', minInterestRate: '5', maxInterestRate: '30',
      minNumberOfRepayments: 3, maxNumberOfRepayments: 60, repaymentEvery: 1, repaymentFrequencyType: 'MONTHS',
    } }, admin)).id as string;
    const businessDate = (await api.ok(BUSINESS_DATE, {}, staff.officer)) as string;
    const borrowers = await pool(opts.loans, opts.setupConcurrency, (i) => registerBorrower(api, i));
    let done = 0;
    const loans = await pool(opts.loans, opts.setupConcurrency, async (i) => {
      const id = await activeLoan(api, staff, productId, borrowers[i], businessDate);
      if (++done % 25 === 0) console.log(`    ${done}/${opts.loans} loans active`);
      return id;
    });
    const setupSeconds = (performance.now() - t0) / 1000;
    console.log(`  setup: ${opts.loans} borrowers, ${opts.loans} loans walked to ACTIVE (11 mutations each) in ${setupSeconds.toFixed(1)} s `
      + `(${(opts.loans / setupSeconds).toFixed(1)} loans/s at ${opts.setupConcurrency} at once); business date ${businessDate}`);

    const apply = (i: number) => timed(() => api.post(APPLY, { input: {
      customerId: borrowers[i % borrowers.length].customerId, productId, principal: '2000.00', currencyCode: 'USD', annualInterestRate: '12.5', numberOfRepayments: 12,
    } }, staff.officer), (r) => typeof r.data?.applyForLoan?.id === 'string');
    // Slot s owns loans s, s + C, s + 2C, …: concurrent requests never touch the same loan.
    const perSlot = Array.from({ length: opts.concurrency }, (_, s) => loans.filter((_l, j) => j % opts.concurrency === s));
    const slotNext = new Array<number>(opts.concurrency).fill(0);
    const repay = (loanId: string) => timed(() => api.post(REPAY, { loanId, amount: '1.00', key: `bench-${randomUUID()}`, paymentType: 'BANK_TRANSFER' }, staff.officer),
      (r) => r.data?.recordRepayment?.amount !== undefined);

    console.log('\nsingle client (one request at a time)');
    if (!opts.repaymentsOnly) await run('applyForLoan', opts.single, 1, (i) => apply(i));
    await run('recordRepayment', opts.single, 1, (i) => repay(loans[i % loans.length]));
    console.log(`\nconcurrent (${opts.concurrency} clients)`);
    if (!opts.repaymentsOnly) await run('applyForLoan', opts.requests, opts.concurrency, (i) => apply(i));
    await run('recordRepayment', opts.requests, opts.concurrency, (_i, s) => {
      const mine = perSlot[s];
      return repay(mine[slotNext[s]++ % mine.length]);
    });
  } finally {
    await stopChildren();
    await dropDatabase(databaseUrl).catch((err: Error) => console.error(`  could not drop ${databaseUrl}: ${err.message}`));
    if (devServer) await stopDevServer(devServer);
    rmSync(sqliteDir, { recursive: true, force: true });
  }
}

// bench/reads.bench.ts imports the helpers above; run only as a script.
if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
