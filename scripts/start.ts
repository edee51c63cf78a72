/**
 * `npm start`: everything on one machine. Ensures the Temporal CLI, starts the dev server if nothing
 * answers on TEMPORAL_ADDRESS, creates and migrates the database, then runs the worker and the API as
 * child processes. Ctrl-C stops all of them (the dev server last, so workers drain first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { assertSecureConfig, devJwtSecretPath } from '../src/security-settings';
import { openDatabase } from '../src/database';
import { defaultDataDir, ensureSearchAttributes, isReachable, startDevServer, stopDevServer } from '../temporal/dev-server';
import { NODE_PROCESS_FLAGS } from '../src/node-flags';

const config = loadConfig();
const children: { name: string; proc: ChildProcess }[] = [];
let devServer: ChildProcess | undefined;
let stopping = false;

function run(name: string, script: string): ChildProcess {
  const proc = spawn(process.execPath, [...NODE_PROCESS_FLAGS, join(__dirname, '..', 'src', script)], {
    stdio: 'inherit',
    // The API runs one process per core unless API_PROCESSES says otherwise (src/api-cluster.ts).
    env: { API_PROCESSES: 'auto', ...process.env, MIGRATE_ON_START: 'false' },
  });
  proc.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited unexpectedly (${signal ?? code}); stopping everything`);
      void shutdown(1);
    }
  });
  children.push({ name, proc });
  return proc;
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping api and worker...');
  await Promise.all(
    children.map(
      ({ proc }) =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
          proc.once('exit', () => resolve());
          proc.kill('SIGINT');
          setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  if (devServer) {
    console.log('Stopping the Temporal dev server...');
    await stopDevServer(devServer);
  }
  process.exit(code);
}

async function waitForReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  // Refuse before starting anything when NODE_ENV is production-like and a secret is missing or default.
  assertSecureConfig(config);
  if (!config.security.production && !process.env.JWT_SECRET) {
    console.log(`Development JWT secret: ${devJwtSecretPath()} (generated once, git-ignored; set JWT_SECRET in production)`);
  }
  const { address, namespace } = config.temporal;
  if (await isReachable(address)) {
    console.log(`Using the Temporal server already answering on ${address}`);
    await ensureSearchAttributes(address, namespace);
  } else {
    const dbFile = join(defaultDataDir(), 'temporal.sqlite');
    console.log(`Starting the Temporal dev server on ${address} (data: ${dbFile})...`);
    devServer = await startDevServer({
      address, namespace, dbFile, uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233), codecEndpoint: `http://localhost:${config.port}/temporal-codec`,
    });
    devServer.on('exit', (c) => {
      if (!stopping) {
        console.error(`Temporal dev server exited unexpectedly (${c})`);
        void shutdown(1);
      }
    });
  }
  console.log(`Migrating ${config.databaseUrl.replace(/:[^:@/]*@/, ':***@')}...`);
  const orm = await openDatabase(config.databaseUrl, { migrate: true });
  await orm.close();

  run('worker', 'worker.js');
  run('api', 'main.js');
  const ready = await waitForReady(`http://127.0.0.1:${config.port}/health/ready`, 120_000);
  if (!ready) {
    console.error('The API did not become ready within 120 s');
    return shutdown(1);
  }
  console.log(`
  Loan platform is up.
    GraphQL API   http://localhost:${config.port}/graphql   (POST; see examples/)
    Landing page  http://localhost:${config.port}/
    GraphiQL      http://localhost:${config.port}/graphiql   (offline; operations of examples/ in the picker)
    Metrics       http://localhost:${config.port}/metrics, worker http://localhost:${config.metrics.workerPort}/metrics
    Temporal UI   ${config.temporal.uiUrl}   (find a loan: LoanId="<id>")
  Ctrl-C stops everything.
`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  void shutdown(1);
});
