/**
 * The API as `npm start` runs it: a node:cluster of API processes on one port (API_PROCESSES=2). A
 * logout in whichever process handles it revokes the access token at once in every process (the primary
 * relays the revocation), and failed sign-ins count across processes (rate limits in PostgreSQL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../temporal/dev-server';
import { join } from 'node:path';
import { createStaffUser } from '../../src/services/auth.service';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { startTestApp, TEST_PASSWORD, unique, type TestApp } from '../utils';

let app: TestApp;
let api: ChildProcess | undefined;
let url = '';


async function gql(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<{ data?: any; errors?: { extensions?: { code?: string } }[] }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as never;
}

beforeAll(async () => {
  app = await startTestApp({ worker: false });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  api = spawn(process.execPath, ['-r', join(__dirname, '../workflows/support/ts-register.js'), join(__dirname, '../../src/main.ts')], {
    env: {
      ...process.env, DATABASE_URL: app.config.databaseUrl, PORT: String(port), API_PROCESSES: '2', MIGRATE_ON_START: 'false',
      COB_SCHEDULE_ENABLED: 'false', TEMPORAL_TASK_QUEUE: app.config.temporal.taskQueue, LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    api!.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('(2 processes)')) resolve();
    });
    api!.once('exit', (code) => reject(new Error(`the API cluster exited with ${code} before it listened:\n${out.slice(-2000)}`)));
  });
}, 120_000);

afterAll(async () => {
  // The whole process group: the primary and its API processes (their graceful stop takes seconds).
  if (api?.pid && api.exitCode === null) process.kill(-api.pid, 'SIGKILL');
  await app?.close();
});

it('revokes an access token in every API process the moment it is logged out in one', async () => {
  const email = `${unique('cluster')}@example.com`;
  await createStaffUser({ em: app.orm.em.fork(), actor: SYSTEM_ACTOR, config: app.config }, { email, password: TEST_PASSWORD, roles: ['LOAN_OFFICER'] });
  const login = await gql(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`, { e: email, p: TEST_PASSWORD });
  const { accessToken, refreshToken } = login.data.login as { accessToken: string; refreshToken: string };
  // Several requests, so both processes (round-robin) have the session cached as good.
  for (let i = 0; i < 8; i++) expect((await gql(`{ me { email } }`, {}, accessToken)).data?.me.email).toBe(email);
  expect((await gql(`mutation($r: String!) { logout(refreshToken: $r) }`, { r: refreshToken }, accessToken)).data?.logout).toBe(true);
  for (let i = 0; i < 8; i++) expect((await gql(`{ me { email } }`, {}, accessToken)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

it('locks an account after five failed sign-ins however the attempts are spread over the processes', async () => {
  const email = `${unique('cluster-lock')}@example.com`;
  const codes: (string | undefined)[] = [];
  for (let i = 0; i < 6; i++) {
    codes.push((await gql(`mutation($e: String!) { login(email: $e, password: "wrong-password") { accessToken } }`, { e: email })).errors?.[0]?.extensions?.code);
  }
  expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED', 'RATE_LIMITED']);
});
