/**
 * schema.graphql (committed) is the schema the code builds, and every operation in examples/ is valid
 * against it — so front-end teams can generate types from the file and copy the examples safely.
 */
import { existsSync, readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { loadExamples } from '../../src/graphql/graphiql';
import { buildSdl, SDL_FILE } from '../../src/graphql/sdl';

const committed = existsSync(SDL_FILE) ? readFileSync(SDL_FILE, 'utf8') : '';

it('schema.graphql matches the schema the resolvers build', async () => {
  const built = await buildSdl();
  if (committed !== built) {
    const a = committed.split('\n');
    const b = built.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    throw new Error(
      `schema.graphql is out of date: regenerate it with \`npm run schema:emit\` and commit it.\n` +
        `First difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  built:     ${b[line] ?? '(end of file)'}`,
    );
  }
});

it('every operation in examples/ validates against schema.graphql', () => {
  const schema = buildSchema(committed);
  const examples = loadExamples();
  expect(examples.length).toBeGreaterThan(20);
  const problems = examples.flatMap((e) => validate(schema, parse(e.query)).map((err) => `${e.path}: ${err.message}`));
  expect(problems).toEqual([]);
});

it('a broken operation is caught (the check is not vacuous)', () => {
  const schema = buildSchema(committed);
  expect(validate(schema, parse('query { loan(id: "x") { noSuchField } }')).map((e) => e.message)).toEqual([
    'Cannot query field "noSuchField" on type "Loan".',
  ]);
});
