/**
 * Starts what the tests need, for real: a fresh PostgreSQL database (migrated) and a Temporal dev server
 * when none answers on TEMPORAL_ADDRESS. Also pre-bundles the workflows once for all test workers.
 * Everything it starts, global-teardown stops.
 */
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWorkflowBundles } from '../scripts/build-workflow-bundle';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/database';
import { ensureSearchAttributes, isReachable, startDevServer } from '../temporal/dev-server';

export default async function globalSetup(): Promise<void> {
  const config = loadConfig();
  const { address, namespace } = config.temporal;
  if (await isReachable(address)) {
    await ensureSearchAttributes(address, namespace);
  } else {
    // In-memory and headless: nothing persists past the test run.
    const server = await startDevServer({ address, namespace, headless: true, fastSqlite: true, log: () => undefined });
    (globalThis as Record<string, unknown>).__TEMPORAL_DEV_SERVER__ = server;
  }
  process.env.TEMPORAL_ADDRESS = address;

  const url = new URL(config.databaseUrl);
  url.pathname = `/loan_platform_test_${Date.now()}_${process.pid}`;
  process.env.DATABASE_URL = url.toString();
  const orm = await openDatabase(process.env.DATABASE_URL, { migrate: true });
  await orm.close();
  // Jest 30 copies this process's globals into in-band test contexts; MikroORM keeps entity metadata in
  // a global, and Maps from this realm break discovery there (mikro-orm#3783). Tests rebuild their own.
  delete (globalThis as Record<string, unknown>)['mikro-orm-metadata'];

  const dir = mkdtempSync(join(tmpdir(), 'loan-platform-test-'));
  const { plain, traced } = await buildWorkflowBundles(dir, true);
  process.env.WORKFLOW_BUNDLE_PATH = plain;
  process.env.WORKFLOW_TRACED_BUNDLE_PATH = traced;
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn';
  process.env.TEMPORAL_LOG_LEVEL = process.env.TEMPORAL_LOG_LEVEL ?? 'WARN';
}
