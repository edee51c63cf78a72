import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { join } from 'node:path';
import { projectRoot } from './config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/**
 * One ORM configuration for api, worker, tests and scripts. Entities and migrations are listed as
 * classes (no folder globbing), so the same config works from src/ under ts-jest and from dist/.
 */
export function ormConfig(databaseUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    // Entities declare every column type explicitly, so reflect-metadata is only a fallback.
    discovery: { warnWhenNoEntities: true },
    debug: process.env.MIKRO_ORM_DEBUG === 'true',
    // No file cache of discovered metadata: nothing written into the repo, and no cross-realm Maps
    // when jest's global setup and test files share it (mikro-orm#3783).
    metadataCache: { enabled: false },
    allowGlobalContext: false,
    pool: { min: 0, max: Number(process.env.DATABASE_POOL_MAX ?? 10) },
    // PostgreSQL's JIT compiles any plan it estimates as expensive, which takes 0.3–0.6 s on this kind of
    // machine: more than our aggregate and close-of-business statements then take to run (the pipeline
    // dashboard's time per stage: 555 ms with JIT, 287 ms without). DATABASE_JIT=on restores it.
    driverOptions: { connection: { options: `-c jit=${process.env.DATABASE_JIT === 'on' ? 'on' : 'off'}` } },
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: join(projectRoot(), 'src', 'migrations'),
      pathTs: join(projectRoot(), 'src', 'migrations'),
      snapshotName: '.snapshot-loan-platform',
      emit: 'ts',
      migrationsList: MIGRATIONS,
      transactional: true,
      silent: process.env.NODE_ENV === 'test',
      allOrNothing: true,
    },
    ...overrides,
  });
}
