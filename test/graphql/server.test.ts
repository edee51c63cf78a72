/** The API's shell: health endpoints, offline landing page, query limits and error masking. */
import { GraphQLError } from 'graphql';
import { createFormatError } from '../../src/graphql/errors';
import { createApiServer, listen } from '../../src/graphql/server';
import { dropDatabase, ensureDatabase, openDatabase } from '../../src/database';
import { logger } from '../../src/logger';
import { DomainError } from '../../src/domain/errors';
import { eventually, startTestApp, type TestApp } from '../utils';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ worker: false });
});

afterAll(async () => {
  await app?.close();
});

describe('health', () => {
  it('is live, and ready only when PostgreSQL and Temporal answer and a worker polls the task queue', async () => {
    const live = await fetch(`${app.url}/health/live`);
    expect(live.status).toBe(200);
    // This app's task queue is its own: no worker polls it yet.
    const unready = await fetch(`${app.url}/health/ready`);
    expect(unready.status).toBe(503);
    expect(await unready.json()).toEqual({
      status: 'unavailable',
      checks: { postgres: 'ok', temporal: 'ok', worker: `down: no worker polled task queue ${app.config.temporal.taskQueue} in the last 90 s` },
    });
    await app.startWorker();
    await eventually(async () => (await fetch(`${app.url}/health/ready`)).status === 200, 30000, 'readiness with a worker');
    const ready = await fetch(`${app.url}/health/ready`);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', temporal: 'ok', worker: 'ok' } });
  });
});

describe('landing page', () => {
  it('works offline: no CDN, no Apollo Sandbox', async () => {
    const res = await fetch(`${app.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('/graphql');
    expect(html).toContain(app.config.temporal.uiUrl);
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/);
    const sandbox = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await sandbox.text()).not.toContain('embeddable-sandbox');
  });
});

describe('query limits', () => {
  it('rejects a query nested deeper than GRAPHQL_MAX_DEPTH', async () => {
    // The schema is shallow today, so run a second API with a limit of 4 to prove the rule works.
    const config = { ...app.config, graphql: { ...app.config.graphql, maxDepth: 4 } };
    const strict = await createApiServer({ orm: app.orm, temporal: app.temporal, config, log: logger });
    const port = await listen(strict, 0, '127.0.0.1');
    try {
      const post = async (query: string) =>
        (await (await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` },
          body: JSON.stringify({ query }),
        })).json()) as { errors?: { message: string; extensions: { code: string } }[] };
      expect((await post('{ loans { edges { node { id } } } }')).errors).toBeUndefined();
      const deep = await post('{ loans { edges { node { customer { id } } } } }');
      expect(deep.errors?.[0].message).toBe('Query depth 5 exceeds the maximum of 4');
      expect(deep.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      // Fragments count too.
      const viaFragment = await post('{ loans { edges { node { ...L } } } } fragment L on Loan { product { name } }');
      expect(viaFragment.errors?.[0].message).toBe('Query depth 5 exceeds the maximum of 4');
    } finally {
      await strict.apollo.stop();
    }
  });

  it('rejects a query whose estimated cost is over GRAPHQL_MAX_COMPLEXITY', async () => {
    const fields = 'id principal currencyCode status stage customer { id email firstName lastName } product { id name currencyCode }';
    const aliases = Array.from({ length: 10 }, (_, i) => `a${i}: loans(first: 100) { edges { node { ${fields} } } }`).join('\n');
    const res = await app.gql(`{ ${aliases} }`);
    expect(res.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.data ?? null).toBeNull();
  });
});

describe('error masking', () => {
  const format = createFormatError(logger.child({}, { level: 'silent' }));

  it('masks unknown errors (no stack, no SQL) with a correlation id', () => {
    const sqlError = new Error('insert into "loan" ("id") values ($1) - duplicate key value violates unique constraint "loan_pkey"');
    const wrapped = new GraphQLError(sqlError.message, { originalError: sqlError, path: ['applyForLoan'] });
    const out = format({ message: sqlError.message, path: ['applyForLoan'], extensions: { stacktrace: ['at x'] } }, wrapped);
    expect(out.message).toBe('Internal server error');
    expect(out.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(JSON.stringify(out)).not.toMatch(/insert|loan_pkey|stacktrace/);
  });

  it('keeps typed domain errors with their code and field', () => {
    const err = new DomainError('INVALID_STAGE', 'A loan in stage WITHDRAWN cannot be withdrawn');
    const wrapped = new GraphQLError(err.message, { originalError: err });
    expect(format({ message: err.message }, wrapped).extensions).toEqual({ code: 'INVALID_STAGE', field: undefined });
  });

  it('does not leak SQL over HTTP when a query fails inside PostgreSQL', async () => {
    // An API on a database without tables: every query fails inside PostgreSQL ("relation does not exist").
    const url = new URL(app.config.databaseUrl);
    url.pathname = `/loan_platform_test_empty_${process.pid}`;
    await ensureDatabase(url.toString());
    const orm = await openDatabase(url.toString());
    const broken = await createApiServer({ orm, temporal: app.temporal, config: app.config, log: logger.child({}, { level: 'silent' }) });
    const port = await listen(broken, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` },
        body: JSON.stringify({ query: '{ loanProducts { id } }' }),
      });
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(body.errors[0].message).toBe('Internal server error');
      expect(JSON.stringify(body)).not.toMatch(/select |loan_product\b|does not exist|stack/i);
    } finally {
      await broken.apollo.stop();
      await orm.close();
      await dropDatabase(url.toString());
    }
  });
});
