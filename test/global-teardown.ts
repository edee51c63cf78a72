import type { ChildProcess } from 'node:child_process';
import { dropDatabase } from '../src/database';
import { stopDevServer } from '../temporal/dev-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__TEMPORAL_DEV_SERVER__ as ChildProcess | undefined;
  if (server) await stopDevServer(server);
  if (process.env.DATABASE_URL?.includes('loan_platform_test_') && process.env.KEEP_TEST_DB !== 'true') {
    await dropDatabase(process.env.DATABASE_URL);
  }
}
