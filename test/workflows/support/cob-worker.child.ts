/**
 * A worker in its own process, so a test can kill it with SIGKILL mid-activity (no graceful
 * shutdown, no completion reported, its database connections dropped). Config from the environment
 * (DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, WORKFLOW_BUNDLE_PATH); prints "ready" once polling.
 */
import 'reflect-metadata';
import { loadConfig } from '../../../src/config';
import { openDatabase } from '../../../src/database';
import { createWorker } from '../../../src/worker-runtime';

async function main(): Promise<void> {
  const config = loadConfig();
  const orm = await openDatabase(config.databaseUrl);
  const { worker } = await createWorker({ orm, config });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
