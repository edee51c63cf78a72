/**
 * `npm run migration:create [name]`: diffs the entities against the committed snapshot and writes a new
 * migration into src/migrations (then add it to src/migrations/index.ts). Runs against a scratch database.
 */
import { withScratchDatabase } from '../src/database';

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/loan_platform';

withScratchDatabase(base, 'loan_platform_migration', async (orm) => {
  const result = await orm.getMigrator().createMigration(undefined, false, false, process.argv[2]);
  console.log(result.fileName ? `Created ${result.fileName}\n${result.diff.up.join('\n')}` : 'No changes: entities match the snapshot.');
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
