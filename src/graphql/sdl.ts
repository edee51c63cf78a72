/**
 * The schema as SDL, as committed in schema.graphql at the repository root: types sorted by name so the
 * file diffs cleanly. `npm run schema:emit` rewrites it; test/graphql/schema-sdl.test.ts fails when
 * the built schema and the committed file differ, and validates every operation in examples/ against it.
 */
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { projectRoot } from '../config';
import { createSchema } from './schema';

export const SDL_FILE = join(projectRoot(), 'schema.graphql');

const HEADER = '# The GraphQL schema of the loan platform API, generated from the resolvers.\n# Do not edit: `npm run schema:emit` rewrites it (CI checks it matches the code).\n\n';

export async function buildSdl(): Promise<string> {
  return `${HEADER}${printSchema(lexicographicSortSchema(await createSchema()))}\n`;
}
