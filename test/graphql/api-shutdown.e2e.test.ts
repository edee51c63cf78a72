/**
 * The API process stops when told to: SIGINT (Ctrl-C of `npm start`) and SIGTERM (what an orchestrator
 * sends before it kills) end it with exit code 0, alone or as a cluster. Run outside NODE_ENV=test, where
 * Apollo installs signal handlers of its own unless told not to; with them the API hung after the
 * signal for ever.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { join } from 'node:path';
import { freePort } from '../../temporal/dev-server';
import { startTestApp, type TestApp } from '../utils';

let app: TestApp;
const started: ChildProcess[] = [];

beforeAll(async () => {
  app = await startTestApp({ worker: false });
}, 120_000);

afterAll(async () => {
  for (const c of started) if (c.pid && c.exitCode === null && c.signalCode === null) process.kill(-c.pid, 'SIGKILL');
  await app?.close();
});

/** Every stdout line each started API wrote. */
const output = new Map<ChildProcess, string[]>();

/** Starts src/main.ts in development mode; resolves once it logged `ready`. */
async function startApi(env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess & { url: string }> {
  const port = await freePort();
  const api = spawn(process.execPath, ['-r', join(__dirname, '../workflows/support/ts-register.js'), join(__dirname, '../../src/main.ts')], {
    env: {
      ...process.env, NODE_ENV: 'development', DATABASE_URL: app.config.databaseUrl, PORT: String(port), MIGRATE_ON_START: 'false',
      COB_SCHEDULE_ENABLED: 'false', OUTBOX_RELAY_ENABLED: 'false', NOTIFICATIONS_ENABLED: 'false', TEMPORAL_TASK_QUEUE: app.config.temporal.taskQueue,
      LOG_LEVEL: 'info', ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  started.push(api);
  const lines: string[] = [];
  output.set(api, lines);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    api.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      lines.push(...b.toString().split('\n').filter(Boolean));
      if (out.includes(ready)) resolve();
    });
    api.once('exit', (code) => reject(new Error(`the API exited with ${code} before it listened:\n${out.slice(-2000)}`)));
  });
  // Serve one request first: a process that answered has everything a stop must close.
  expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
  return Object.assign(api, { url: `http://127.0.0.1:${port}` });
}

/** Sends `signal` and resolves with the exit code, or null when it is still running after 20 s. */
function stopWith(api: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 20_000);
    api.once('exit', (code) => { clearTimeout(timer); resolve(code); });
    api.kill(signal);
  });
}

it('one API process exits (code 0) on SIGINT', async () => {
  const api = await startApi({}, 'GraphQL API on');
  expect(await stopWith(api, 'SIGINT')).toBe(0);
}, 120_000);

it('one API process exits (code 0) on SIGTERM', async () => {
  const api = await startApi({}, 'GraphQL API on');
  expect(await stopWith(api, 'SIGTERM')).toBe(0);
}, 120_000);

it('a cluster of API processes exits (code 0) on SIGTERM to its primary', async () => {
  const api = await startApi({ API_PROCESSES: '2' }, '(2 processes)');
  expect(await stopWith(api, 'SIGTERM')).toBe(0);
}, 120_000);

it('a stop lets the requests whose clients hung up finish first: exit code 0, no error logged', async () => {
  const api = await startApi({}, 'GraphQL API on');
  // Sign-ins held up in the database (their user lookup waits for this lock), each abandoned by its client.
  const blocker = new Client({ connectionString: app.config.databaseUrl });
  await blocker.connect();
  try {
    await blocker.query('begin');
    await blocker.query('lock table app_user in access exclusive mode');
    const login = (i: number) => JSON.stringify({ query: `mutation { login(email: "nobody-${i}@example.com", password: "wrong-password-1") { accessToken } }` });
    const calls = Array.from({ length: 20 }, (_, i) => {
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 300);
      return fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: login(i), signal: abort.signal }).catch(() => undefined);
    });
    await Promise.all(calls);
    // The clients are gone; the server still holds all 20 (10 on connections, 10 waiting for one).
    const exit = stopWith(api, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    await blocker.query('rollback');
    expect(await exit).toBe(0);
  } finally {
    await blocker.end();
  }
  const errors = output.get(api)!.filter((l) => /"level":(50|60)/.test(l));
  expect(errors).toEqual([]);
}, 120_000);
