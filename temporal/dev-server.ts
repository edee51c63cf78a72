/**
 * Starts `temporal server start-dev` for local runs and tests: persistent SQLite file in a git-ignored
 * data directory (or in memory for tests), the UI on :8233, our search attributes registered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureSearchAttributes } from '../src/temporal-client';
import { SEARCH_ATTRIBUTES } from '../src/workflows/search-attributes';
import { projectRoot } from '../src/config';
import { ensureTemporalCli } from './cli';

export interface DevServerOptions {
  address: string;
  namespace: string;
  uiPort?: number;
  /** SQLite file; omitted = in-memory (tests). */
  dbFile?: string;
  headless?: boolean;
  /** Trade durability for speed (tests): WAL + synchronous=OFF, as the Temporal SDK's own CI does. */
  fastSqlite?: boolean;
  /** The UI's remote codec endpoint (the API's /temporal-codec), so it shows decrypted payloads. */
  codecEndpoint?: string;
  /** Dynamic config overrides, e.g. { 'limit.historyCount.suggestContinueAsNew': 40 } (tests). */
  dynamicConfig?: Record<string, string | number | boolean>;
  log?: (line: string) => void;
}

export function splitAddress(address: string): { host: string; port: number } {
  const [host, port] = address.split(':');
  return { host: host || '127.0.0.1', port: Number(port || 7233) };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for servers a test or benchmark starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on the address. */
export function isReachable(address: string, timeoutMs = 1000): Promise<boolean> {
  const { host, port } = splitAddress(address);
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export { ensureSearchAttributes };

export function defaultDataDir(): string {
  return resolve(process.env.TEMPORAL_DATA_DIR ?? join(projectRoot(), '.data', 'temporal'));
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Temporal dev server exited with code ${child.exitCode}`);
    if (await isReachable(address, 500)) {
      try {
        const connection = await Connection.connect({ address, connectTimeout: 2000 });
        await connection.workflowService.getSystemInfo({});
        await connection.close();
        return;
      } catch {
        // frontend is up but not ready yet
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Temporal dev server did not answer on ${address} within ${timeoutMs / 1000} s`);
}

/** Spawns the dev server, waits until it serves and our search attributes exist; returns the process. */
export async function startDevServer(opts: DevServerOptions): Promise<ChildProcess> {
  const log = opts.log ?? console.log;
  const cli = ensureTemporalCli(log);
  const { host, port } = splitAddress(opts.address);
  const args = ['server', 'start-dev', '--ip', host, '--port', String(port), '--namespace', opts.namespace, '--log-level', 'warn'];
  if (opts.headless) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort ?? 8233));
  if (opts.dbFile) {
    mkdirSync(resolve(opts.dbFile, '..'), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  if (opts.fastSqlite) args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF');
  // The persistent file in WAL mode with synchronous=NORMAL: a commit is one append instead of a journal
  // rewrite plus fsyncs (several times the write rate); a crash of the process loses nothing, a power
  // cut at most the last transactions - acceptable for a developer machine, not for production.
  else if (opts.dbFile) args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  if (opts.codecEndpoint && !opts.headless) args.push('--ui-codec-endpoint', opts.codecEndpoint);
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  try {
    await waitUntilServing(opts.address, child, 60_000);
    await ensureSearchAttributes(opts.address, opts.namespace);
  } catch (err) {
    child.kill('SIGTERM');
    throw new Error(`${(err as Error).message}\n--- dev server output ---\n${output}`);
  }
  return child;
}

/** Stops a dev server started by startDevServer, waiting for it to exit. */
export async function stopDevServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** `node dist/temporal/dev-server.js`: run the dev server alone in the foreground. */
if (require.main === module) {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const dbFile = join(defaultDataDir(), 'temporal.sqlite');
  startDevServer({ address, namespace, dbFile, uiPort: Number(process.env.TEMPORAL_UI_PORT ?? 8233) })
    .then((child) => {
      console.log(`Temporal dev server on ${address}, UI http://localhost:${process.env.TEMPORAL_UI_PORT ?? 8233}, data ${dbFile}`);
      const stop = () => void stopDevServer(child).then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    })
    .catch((err) => {
      console.error(err.message);
      process.exit(1);
    });
}
