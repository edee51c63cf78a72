/**
 * `npm run migration:create [name]`: diffs the entities against the committed snapshot and writes a new
 * migration into src/migrations (then add it to src/migrations/index.ts). Runs against a scratch database.
 */
import { dropDatabase, openDatabase } from '../src/database';

async function main(): Promise<void> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/loan_platform';
  const url = new URL(base);
  url.pathname = `/loan_platform_migration_${process.pid}`;
  const scratch = url.toString();
  const orm = await openDatabase(scratch, { migrate: true });
  try {
    const result = await orm.getMigrator().createMigration(undefined, false, false, process.argv[2]);
    console.log(result.fileName ? `Created ${result.fileName}\n${result.diff.up.join('\n')}` : 'No changes: entities match the snapshot.');
  } finally {
    await orm.close();
    await dropDatabase(scratch);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
