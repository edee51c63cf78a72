/**
 * Several API processes on one port (node:cluster): `API_PROCESSES=<n>|auto`. The primary does the
 * once-per-start work (migrations, the first admin, the COB schedule) and forks n workers that each run
 * the whole API (GraphQL, graphql-ws subscriptions, /documents, /metrics) on the shared listening socket;
 * the primary hands out connections round-robin. A worker that dies is replaced.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from './logger';
import { isForgetMessage } from './services/sessions';

/** API_PROCESSES: a positive integer, or `auto` = one per CPU core. Unset: 1 (one process, no cluster). */
export function apiProcessCount(raw = process.env.API_PROCESSES): number {
  if (raw === undefined || raw === '') return 1;
  if (raw === 'auto') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`API_PROCESSES must be an integer 1..64 or "auto" (got "${raw}")`);
  return n;
}

/** True in a process forked by runApiCluster: the primary already migrated and ensured the schedule. */
export function isApiClusterWorker(): boolean {
  return cluster.isWorker;
}

/** Forks `count` API workers and keeps them running; resolves once all of them listen. */
export function runApiCluster(count: number, port: number, log: Logger): Promise<void> {
  let stopping = false;
  let listening = 0;
  let restarts = 0;
  // Rate limits and lockouts must count across every process, or each would allow its own share:
  // several processes share them in PostgreSQL unless RATE_LIMIT_STORE says otherwise.
  const fork = (): Worker => cluster.fork({ MIGRATE_ON_START: 'false', RATE_LIMIT_STORE: process.env.RATE_LIMIT_STORE || 'postgres' });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'API cluster stopping');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    if (workers.length === 0) process.exit(0);
    let left = workers.length;
    for (const w of workers) {
      w.once('exit', () => { if (--left === 0) process.exit(0); });
      w.process.kill(signal);
    }
    setTimeout(() => process.exit(0), 30_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return new Promise((resolve) => {
    cluster.on('listening', () => {
      if (++listening === count) {
        log.info({ port, processes: count }, `GraphQL API on http://localhost:${port}/graphql (${count} processes)`);
        resolve();
      }
    });
    // A logout, role change or revoked session in one process reaches the others at once.
    cluster.on('message', (from, message: unknown) => {
      if (!isForgetMessage(message)) return;
      for (const w of Object.values(cluster.workers ?? {})) if (w && w !== from && w.isConnected()) w.send(message);
    });
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      log.error({ pid: worker.process.pid, code, signal }, 'API process exited; starting another');
      // A worker that cannot start at all (bad config) would loop: give up after a few.
      if (++restarts > count * 5) {
        log.fatal('API processes keep exiting; stopping');
        stop('SIGTERM');
        return;
      }
      fork();
    });
    for (let i = 0; i < count; i++) fork();
  });
}
