/**
 * A loan workflow continues-as-new when Temporal suggests it, carrying its state and the request ids it
 * has processed: a retried clientMutationId after continue-as-new is still a no-op (Temporal's own
 * update-id dedup does not reach across runs). Runs its own dev server whose
 * `limit.historyCount.suggestContinueAsNew` is tiny, so a few actions cross runs.
 */
import type { ChildProcess } from 'node:child_process';
import { loanStateQuery, loanWorkflowId } from '../../src/workflows/messages';
import { startDevServer, stopDevServer } from '../../temporal/dev-server';
import { startTestApp, type TestApp } from '../utils';
import { createProduct } from '../graphql/fixtures';
import { apply, borrower, M, ok } from '../graphql/origination.fixtures';

const ADDRESS = process.env.CAN_TEMPORAL_ADDRESS ?? '127.0.0.1:7311';
const SUGGEST_AFTER_EVENTS = 40;

let server: ChildProcess | undefined;
let app: TestApp;

beforeAll(async () => {
  server = await startDevServer({
    address: ADDRESS,
    namespace: 'default',
    headless: true,
    fastSqlite: true,
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_AFTER_EVENTS },
    log: () => undefined,
  });
  app = await startTestApp({ configure: (c) => (c.temporal.address = ADDRESS) });
});

afterAll(async () => {
  await app?.close();
  if (server) await stopDevServer(server);
});

const TIMELINE = `query($id: ID!) { loan(id: $id) { version stage origination { kycReviewerId kycChecklist { item checked } } timeline { action } } }`;

it('continues as new with its state and processed request ids; a retried request after it changes nothing', async () => {
  const [manager, kyc] = await Promise.all([app.staff(['MANAGER']), app.staff(['KYC_OFFICER'])]);
  const productId = await createProduct(app);
  const b = await borrower(app);
  const loanId = await apply(app, b, productId);
  const handle = app.temporal.client.workflow.getHandle(loanWorkflowId(loanId));
  const firstRunId = (await handle.describe()).runId;

  await ok(app, M.submit, { loanId }, b.token);
  await ok(app, M.assign, { loanId, reviewerId: kyc.id }, manager.token);
  // Checklist updates keep the loan in KYC_REVIEW while its history grows, until Temporal suggests
  // continue-as-new and the workflow takes it.
  const items = ['IDENTITY_VERIFIED', 'ADDRESS_VERIFIED', 'INCOME_VERIFIED', 'SANCTIONS_SCREENED'];
  const sent: { requestId: string; items: { item: string; checked: boolean }[] }[] = [];
  let runId = firstRunId;
  for (let i = 0; i < 20 && runId === firstRunId; i++) {
    const requestId = `checklist-${loanId}-${i}`;
    const item = items[i % items.length];
    const res = await app.gql(
      `mutation($loanId: ID!, $items: [KycChecklistItemInput!]!, $id: String) { completeKycChecklist(loanId: $loanId, items: $items, clientMutationId: $id) { version } }`,
      { loanId, items: [{ item, checked: i % 2 === 0 }], id: requestId },
      kyc.token,
    );
    expect(res.errors).toBeUndefined();
    sent.push({ requestId, items: [{ item, checked: i % 2 === 0 }] });
    for (let wait = 0; wait < 20 && runId === firstRunId; wait++) {
      runId = (await handle.describe()).runId;
      if (runId === firstRunId) await new Promise((r) => setTimeout(r, 50));
    }
  }
  expect(runId).not.toBe(firstRunId);
  expect((await app.temporal.client.workflow.getHandle(loanWorkflowId(loanId), firstRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
  const firstHistory = await app.temporal.client.workflow.getHandle(loanWorkflowId(loanId), firstRunId).fetchHistory();
  expect(firstHistory.events!.length).toBeGreaterThanOrEqual(SUGGEST_AFTER_EVENTS);

  // The new run holds the same state the database has: stage, version, reviewer, checklist.
  const before = (await app.gql(TIMELINE, { id: loanId }, manager.token)).data.loan;
  const carried = await handle.query(loanStateQuery);
  expect(carried).toMatchObject({ loanId, stage: 'KYC_REVIEW', status: 'SUBMITTED', version: before.version });
  expect(carried.origination.kycReviewerId).toBe(kyc.id);
  expect(Object.entries(carried.origination.kycChecklist).sort()).toEqual(before.origination.kycChecklist.map((e: any) => [e.item, e.checked]).sort());
  const newRun = await handle.describe();
  expect(newRun.runId).toBe(runId);
  expect(newRun.historyLength).toBeLessThan(firstHistory.events!.length);

  // Retrying every request of the first run is a no-op in the new run; the same key with another payload is a CONFLICT.
  const CHECKLIST = `mutation($loanId: ID!, $items: [KycChecklistItemInput!]!, $id: String) { completeKycChecklist(loanId: $loanId, items: $items, clientMutationId: $id) { version } }`;
  for (const { requestId, items: sentItems } of sent) {
    const retry = await app.gql(CHECKLIST, { loanId, items: sentItems, id: requestId }, kyc.token);
    expect(retry.errors).toBeUndefined();
    expect(retry.data.completeKycChecklist.version).toBe(before.version);
    const other = await app.gql(CHECKLIST, { loanId, items: sentItems.map((x) => ({ ...x, checked: !x.checked })), id: requestId }, kyc.token);
    expect(other.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  }
  const after = (await app.gql(TIMELINE, { id: loanId }, manager.token)).data.loan;
  expect(after).toEqual(before);
  expect((await handle.describe()).runId).toBe(runId);

  // And the loan carries on in the new run: a new request is applied once.
  await ok(app, M.checklist, { loanId, items: items.map((item) => ({ item, checked: true })) }, kyc.token);
  const decided = await ok(app, M.decideKyc, { loanId, approve: true }, manager.token);
  expect(decided.stage).toBe('DISCUSSION');
  const final = (await app.gql(TIMELINE, { id: loanId }, manager.token)).data.loan;
  expect(final.timeline.map((e: any) => e.action).slice(-3)).toEqual(['KYC_CHECKLIST_UPDATED', 'KYC_APPROVED', 'RISK_ASSESSED']);
  expect(final.timeline.filter((e: any) => e.action === 'KYC_CHECKLIST_UPDATED')).toHaveLength(sent.length + 1);
});
