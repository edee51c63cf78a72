/**
 * The API process stops when told to: SIGINT (Ctrl-C of `npm start`) and SIGTERM (what an orchestrator
 * sends before it kills) end it with exit code 0, alone or as a cluster. Run outside NODE_ENV=test, where
 * Apollo installs signal handlers of its own unless told not to; with them the API hung after the
 * signal for ever.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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

/** Starts src/main.ts in development mode; resolves once it logged `ready`. */
async function startApi(env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
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
  await new Promise<void>((resolve, reject) => {
    let out = '';
    api.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes(ready)) resolve();
    });
    api.once('exit', (code) => reject(new Error(`the API exited with ${code} before it listened:\n${out.slice(-2000)}`)));
  });
  // Serve one request first: a process that answered has everything a stop must close.
  expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
  return api;
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
