/**
 * The request id on the worker side, tracing off (the plain workflow bundle): a mutation sent with
 * X-Request-Id reaches the loan workflow as a Temporal header; the workflow's interceptors hand it to
 * the activity that records the transition, which runs inside that request's context — so pino's lines
 * and the SDK's own activity log lines (forwarded to pino) carry it. The API logs the mutation itself.
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { logger } from '../../src/logger';
import * as loanService from '../../src/services/loan.service';
import { currentRequestId } from '../../src/tracing/request-context';
import { startTestApp, type TestApp } from '../utils';
import { APPLY, applicationInput, createCustomer, createProduct, WITHDRAW } from '../graphql/fixtures';

let app: TestApp;
const record = loanService.recordTransition;

beforeAll(async () => {
  app = await startTestApp();
});

afterEach(() => jest.restoreAllMocks());

afterAll(async () => {
  await app?.close();
});

it('runs the activity a mutation sets off inside its request id, and the SDK logs it with the id', async () => {
  const productId = await createProduct(app);
  const customerId = await createCustomer(app);
  const loanId = (await app.gql(APPLY, { input: applicationInput(customerId, productId) })).data.applyForLoan.id as string;

  const seen: { action: string; requestId: string | undefined }[] = [];
  jest.spyOn(loanService, 'recordTransition').mockImplementation(async (ctx, input) => {
    seen.push({ action: input.action, requestId: currentRequestId() });
    // warn: the suite runs the SDK's logger at WARN (test/global-setup.ts).
    Context.current().log.warn('recording a transition (test line)', { loanId: input.loanId });
    return record(ctx, input);
  });
  const warn = jest.spyOn(logger, 'warn');
  // The request id pino's mixin would add to each info line, taken when the line is written.
  const infoLines: { obj: unknown; msg: unknown; requestId: string | undefined }[] = [];
  jest.spyOn(logger, 'info').mockImplementation(((obj: unknown, msg: unknown) => { infoLines.push({ obj, msg, requestId: currentRequestId() }); }) as never);

  const requestId = `worker-test-${randomUUID()}`;
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}`, 'x-request-id': requestId },
    body: JSON.stringify({ query: WITHDRAW, variables: { loanId, reason: 'request id test' } }),
  });
  expect(((await res.json()) as any).data.withdrawApplication.stage).toBe('WITHDRAWN');

  // The withdrawal's transition was recorded by the worker's (local) activity, inside the HTTP request's id.
  expect(seen).toContainEqual({ action: 'WITHDRAWN', requestId });
  // The SDK's activity logger went out through pino with the activity's metadata and the request id.
  const line = warn.mock.calls.find((c) => c[1] === 'recording a transition (test line)');
  expect(line?.[0]).toMatchObject({ requestId, loanId, activityType: 'recordLoanTransition', workflowId: `loan-${loanId}` });
  // And the API's own line for the mutation: operation, outcome and time, written inside the request's id.
  expect(infoLines.filter((l) => l.msg === 'graphql operation'))
    .toContainEqual({ obj: { operation: 'Withdraw', type: 'mutation', outcome: 'OK', ms: expect.any(Number) }, msg: 'graphql operation', requestId });
});

it('tags the work with the id the API made when the caller sent none', async () => {
  const seen: (string | undefined)[] = [];
  jest.spyOn(loanService, 'recordTransition').mockImplementation(async (ctx, input) => {
    seen.push(currentRequestId());
    return record(ctx, input);
  });
  const productId = await createProduct(app);
  const customerId = await createCustomer(app);
  // app.gql sends no X-Request-Id: the API makes one per request, so the withdrawal still carries an id, a fresh UUID.
  const loanId = (await app.gql(APPLY, { input: applicationInput(customerId, productId) })).data.applyForLoan.id as string;
  await app.gql(WITHDRAW, { loanId, reason: 'no header' });
  expect(seen.length).toBeGreaterThan(0);
  for (const id of seen) expect(id).toMatch(/^[0-9a-f-]{36}$/);
});
