/**
 * `npm run bench:reads -- [--loans 2000] [--duration 10] [--connections 50] [--processes 1] [--profile <dir>]
 *                        [--mode production|development] [--queries floor,loan,list,reference]`
 * (default production: NODE_ENV=production, secrets generated; every query):
 * the read path through the real API (HTTP → GraphQL → PostgreSQL), measured with autocannon.
 *  1. seeds `--loans` active loans with 12-installment schedules straight into a fresh database (set-based
 *     SQL, `seed()` of bench/cob.bench.ts) plus a disbursement and one repayment per paid installment;
 *  2. starts the API (`node dist/src/main.js`, `API_PROCESSES=--processes`) as a child process on the
 *     Temporal on TEMPORAL_ADDRESS (or an in-memory dev server); `--profile <dir>` runs it with `--cpu-prof`;
 *  3. logs in as the admin and measures, at `--connections` for `--duration` seconds each:
 *     the floor `{ businessDate }` with a token, the full `loan(id)` read (customer, product, balances,
 *     installments, transactions; a different loan each request), and `loans(first: 50)` with balances;
 *  4. prints req/s and p50/p95/p99 latency for each, with the CPU the API used and how busy the whole
 *     machine was meanwhile (other processes included), so a figure from a shared box reads honestly;
 *  5. then, the API stopped, the same for the reference (bench/bare-server.ts): express + Apollo 5 +
 *     type-graphql with nothing of ours, `{ hello }` from memory and one row by primary key — what the
 *     stack alone costs on this machine, beside what the API adds.
 * No thresholds: figures depend on the machine (printed first).
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';
import { loadConfig } from '../src/config';
import { dropDatabase, openDatabase } from '../src/database';
import { sql } from '../src/services/sql';
import { freePort, isReachable, startDevServer, stopDevServer } from '../temporal/dev-server';
import { seed, seedTransactions } from './cob.bench';
import { Api, deploymentEnv, spawnChild, stopChild, stopChildren, type DeploymentMode } from './writes.bench';

// autocannon 9 ships no types: the part used here.
interface AutocannonRequest { method: string; path: string; headers: Record<string, string>; body?: string; setupRequest?: (req: AutocannonRequest) => AutocannonRequest }
interface AutocannonResult { requests: { average: number; total: number }; errors: number; timeouts: number; non2xx: number; duration: number }
interface AutocannonOptions { url: string; connections: number; duration: number; requests: AutocannonRequest[] }
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, ms: number) => void): void;
}
const autocannon = require('autocannon') as (opts: AutocannonOptions) => AutocannonInstance;

/** Nearest-rank percentile of sorted latencies (autocannon's own summary has p97.5 but no p95). */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

const LOGIN = `mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
const FLOOR = `query Floor { businessDate }`;
const LOAN = `query Loan($id: ID!) { loan(id: $id) {
  id status stage principal currencyCode annualInterestRate numberOfRepayments
  customer { id firstName lastName email }
  product { id name currencyCode }
  balances { asOf principalOutstanding interestOutstanding feeOutstanding penaltyOutstanding totalOutstanding totalOverdue nextInstallmentNumber nextInstallmentDueDate nextInstallmentAmount }
  installments { installmentNumber fromDate dueDate principalDue interestDue feeChargesDue penaltyChargesDue principalPaid interestPaid completed }
  transactions { id type amount transactionDate principalPortion interestPortion }
} }`;
const HELLO = `query Hello { hello }`;
const BARE_LOAN = `query Loan($id: ID!) { loan(id: $id) { id status principal } }`;
const LIST = `query Loans { loans(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { node {
  id status principal currencyCode balances { principalOutstanding totalOutstanding totalOverdue nextInstallmentDueDate }
} } } }`;

const QUERIES = ['floor', 'loan', 'list', 'reference'] as const;
type QueryName = (typeof QUERIES)[number];

interface Options { loans: number; duration: number; connections: number; processes: number; profile: string; mode: DeploymentMode; queries: QueryName[] }

function parseArgs(argv: string[]): Options {
  const opts: Options = { loans: 2000, duration: 10, connections: 50, processes: 1, profile: '', mode: 'production', queries: [...QUERIES] };
  const usage = `usage: reads.bench.js [--loans N] [--duration S] [--connections N] [--processes N] [--profile DIR] [--mode production|development] [--queries ${QUERIES.join(',')}] (got "${argv.join(' ')}")`;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const raw = inline ?? argv[++i];
    if (flag === '--profile') {
      if (!raw) throw new Error(usage);
      opts.profile = raw;
      continue;
    }
    if (flag === '--queries') {
      const names = (raw ?? '').split(',');
      if (!names.length || names.some((q) => !(QUERIES as readonly string[]).includes(q))) throw new Error(usage);
      opts.queries = names as QueryName[];
      continue;
    }
    if (flag === '--mode') {
      if (raw !== 'production' && raw !== 'development') throw new Error(usage);
      opts.mode = raw;
      continue;
    }
    const key = ({ '--loans': 'loans', '--duration': 'duration', '--connections': 'connections', '--processes': 'processes' } as const)[flag];
    const n = Number(raw);
    if (!key || !Number.isInteger(n) || n < 1) throw new Error(usage);
    opts[key] = n;
  }
  return opts;
}

/** Clock ticks a process (and its children, for the cluster primary's workers) used: utime + stime + cutime + cstime. */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return NaN;
  }
}

/** [busy, total] clock ticks of the whole machine, from /proc/stat. */
function machineTicks(): [number, number] {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const v = cpu.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return [total - idle, total];
}

/** The API processes: the child itself, or with API_PROCESSES > 1 the cluster primary's worker children. */
function apiPids(child: ChildProcess): number[] {
  const pid = child.pid!;
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...kids];
  } catch {
    return [pid];
  }
}

async function measure(label: string, url: string, api: ChildProcess, opts: Options, requests: AutocannonRequest[]): Promise<void> {
  const pids = apiPids(api);
  if (opts.profile) {
    // Drop what was sampled before this query (warm-up, the previous one); the file written after it is this query's.
    for (const pid of pids) process.kill(pid, 'SIGWINCH');
    await new Promise((r) => setTimeout(r, 500));
    for (const f of readdirSync(opts.profile)) if (f.startsWith('before-')) rmSync(join(opts.profile, f));
    writeFileSync(join(opts.profile, '.label'), label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, ''));
  }
  const hz = 100; // USER_HZ on Linux
  const apiBefore = pids.reduce((a, p) => a + processTicks(p), 0);
  const [busy0, total0] = machineTicks();
  const load = loadavg()[0];
  const run = autocannon({ url, connections: opts.connections, duration: opts.duration, requests });
  const latencies: number[] = [];
  run.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const r = await run;
  latencies.sort((x, y) => x - y);
  const f = (ms: number) => `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  const [busy1, total1] = machineTicks();
  const apiCpu = (pids.reduce((a, p) => a + processTicks(p), 0) - apiBefore) / hz / r.duration;
  const machineBusy = (busy1 - busy0) / (total1 - total0);
  const bad = r.errors + r.timeouts + r.non2xx;
  console.log(`  ${label.padEnd(22)} ${r.requests.average.toFixed(0).padStart(6)} req/s   p50 ${f(percentile(latencies, 50))}  p95 ${f(percentile(latencies, 95))}  p99 ${f(percentile(latencies, 99))}  max ${f(latencies[latencies.length - 1] ?? NaN)}`
    + `   ${r.requests.total} requests${bad ? `, ${bad} errors/non-2xx` : ''}`);
  if (opts.profile) {
    for (const pid of pids) process.kill(pid, 'SIGWINCH');
    await new Promise((r) => setTimeout(r, 1000));
    writeFileSync(join(opts.profile, '.label'), 'before');
  }
  // CPU per request holds still when other work shares the machine; req/s does not.
  const cpuPerRequest = (apiCpu * r.duration * 1000) / Math.max(1, r.requests.total);
  console.log(`  ${''.padEnd(22)} API CPU ${cpuPerRequest.toFixed(2)} ms per request (≈ ${(1000 / cpuPerRequest).toFixed(0)} req/s per API core), ${(apiCpu * 100).toFixed(0)} % of one core; machine ${(machineBusy * 100).toFixed(0)} % busy over ${cpus().length} cores (API + autocannon + others), load before ${load.toFixed(2)}`);
}

function gql(token: string, query: string, variables?: (i: number) => Record<string, unknown>): AutocannonRequest[] {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  if (!variables) return [{ method: 'POST', path: '/graphql', headers, body: JSON.stringify({ query }) }];
  let i = 0;
  return [{
    method: 'POST', path: '/graphql', headers,
    setupRequest: (req) => ({ ...req, body: JSON.stringify({ query, variables: variables(i++) }) }),
  }];
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const cpu = cpus();
  console.log(`Read-path benchmark on ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`  ${opts.loans} active loans; autocannon c=${opts.connections}, ${opts.duration} s per query; API_PROCESSES=${opts.processes}; API in ${opts.mode} mode`);

  let devServer: ChildProcess | undefined;
  if (!(await isReachable(config.temporal.address))) {
    console.log(`  starting an in-memory Temporal dev server on ${config.temporal.address}`);
    devServer = await startDevServer({ address: config.temporal.address, namespace: config.temporal.namespace, headless: true, fastSqlite: true, log: () => undefined });
  }
  const url = new URL(config.databaseUrl);
  url.pathname = `/loan_platform_bench_reads_${process.pid}`;
  const databaseUrl = url.toString();
  try {
    await seed(databaseUrl, opts.loans);
    const orm = await openDatabase(databaseUrl, { migrate: false });
    const em = orm.em.fork();
    await seedTransactions(em);
    await sql(em, 'analyze');
    const loanIds = (await sql<{ id: string }>(em, `select id::text from loan order by random()`)).map((r) => r.id);
    const [{ n }] = await sql<{ n: string }>(em, `select count(*)::text as n from loan_transaction`);
    console.log(`  plus ${n} transactions`);
    await orm.close();

    const port = await freePort();
    const deployment = deploymentEnv(opts.mode);
    const env: NodeJS.ProcessEnv = {
      ...process.env, ...deployment.env, DATABASE_URL: databaseUrl, PORT: String(port), MIGRATE_ON_START: 'false', API_PROCESSES: String(opts.processes),
      COB_SCHEDULE_ENABLED: 'false', OUTBOX_RELAY_ENABLED: 'false', NOTIFICATIONS_ENABLED: 'false', LOG_LEVEL: 'info', TEMPORAL_LOG_LEVEL: 'WARN',
    };
    // --profile: V8's sampling profiler (as --cpu-prof) preloaded into the API, one profile written per query.
    const nodeArgs = opts.profile ? ['-r', join(__dirname, 'cpu-profile.js')] : [];
    if (opts.profile) {
      mkdirSync(opts.profile, { recursive: true });
      writeFileSync(join(opts.profile, '.label'), 'before');
      env.CPU_PROFILE_DIR = opts.profile;
    }
    const apiChild = await spawnChild('api', 'src/main.js', env, 'GraphQL API on', nodeArgs);
    if (opts.processes > 1) await new Promise((r) => setTimeout(r, 3000)); // let every cluster worker listen
    const base = `http://127.0.0.1:${port}`;
    const api = new Api(`${base}/graphql`);
    const token = (await api.ok(LOGIN, deployment.admin)).accessToken as string;
    // Warm-up: JIT, the pool, the session cache; and a sanity check of every query's answer.
    const one = await api.ok(LOAN, { id: loanIds[0] }, token);
    if (!one?.installments?.length || !one.transactions?.length || !one.balances) throw new Error(`loan(id) answered ${JSON.stringify(one).slice(0, 300)}`);
    const list = await api.ok(LIST, {}, token);
    if (list.edges.length !== Math.min(50, opts.loans) || !list.edges[0].node.balances) throw new Error(`loans(first: 50) answered ${JSON.stringify(list).slice(0, 300)}`);
    await autocannon({ url: base, connections: opts.connections, duration: 3, requests: gql(token, LOAN, (i) => ({ id: loanIds[i % loanIds.length] })) });

    console.log('');
    if (opts.queries.includes('floor')) await measure('floor { businessDate }', base, apiChild, opts, gql(token, FLOOR));
    if (opts.queries.includes('loan')) await measure('loan(id) full', base, apiChild, opts, gql(token, LOAN, (i) => ({ id: loanIds[i % loanIds.length] })));
    if (opts.queries.includes('list')) await measure('loans(first: 50)', base, apiChild, opts, gql(token, LIST));
    if (!opts.queries.includes('reference')) {
      if (opts.profile) console.log(`  CPU profiles (one per query, open in Chrome DevTools or speedscope) in ${opts.profile}`);
      return;
    }

    // The stack alone on the same machine in the same run: the floor under what the API adds.
    await stopChild(apiChild);
    const barePort = await freePort();
    const bareEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', DATABASE_URL: databaseUrl, PORT: String(barePort) };
    if (opts.profile) bareEnv.CPU_PROFILE_DIR = opts.profile;
    const bare = await spawnChild('bare', 'bench/bare-server.js', bareEnv, 'bare server on', nodeArgs);
    const bareBase = `http://127.0.0.1:${barePort}`;
    const bareOne = await new Api(`${bareBase}/graphql`).ok(BARE_LOAN, { id: loanIds[0] }, token);
    if (bareOne?.id !== loanIds[0]) throw new Error(`the reference's loan(id) answered ${JSON.stringify(bareOne)}`);
    console.log('  reference (bench/bare-server.ts: express + Apollo 5 + type-graphql, nothing of ours):');
    await measure('reference { hello }', bareBase, bare, opts, gql(token, HELLO));
    await measure('reference loan(id) PK', bareBase, bare, opts, gql(token, BARE_LOAN, (i) => ({ id: loanIds[i % loanIds.length] })));
    if (opts.profile) console.log(`  CPU profiles (one per query, open in Chrome DevTools or speedscope) in ${opts.profile}`);
  } finally {
    await stopChildren();
    await dropDatabase(databaseUrl).catch((err: Error) => console.error(`  could not drop ${databaseUrl}: ${err.message}`));
    if (devServer) await stopDevServer(devServer);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
