/**
 * `npm run migration:check`: applies every migration to a scratch database and prints what the
 * entities would still change (nothing, when entities and migrations agree). With `--snapshot` it
 * also rewrites src/migrations/.snapshot-loan-platform.json from the entities, so the next
 * `npm run migration:create` diffs against the schema the migrations really build.
 */
import { withScratchDatabase } from '../src/database';

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/loan_platform';

withScratchDatabase(base, 'loan_platform_check', async (orm) => {
  const sql = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
  if (process.argv.includes('--snapshot')) {
    // Public in the implementation, not in the typings: writes the entities' schema as the snapshot.
    await (orm.getMigrator() as unknown as { storeCurrentSchema(): Promise<void> }).storeCurrentSchema();
    console.log('Snapshot rewritten from the entities.');
  }
  if (sql.trim()) {
    console.log(`Entities and migrations differ; the entities would still run:\n${sql}`);
    process.exitCode = 1;
  } else {
    console.log('Entities and migrations agree.');
  }
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
