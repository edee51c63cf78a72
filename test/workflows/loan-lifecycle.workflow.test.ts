/**
 * The loan workflow against a real Temporal dev server and real PostgreSQL: the Update validator, and
 * durability across a worker restart.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Loan, LoanEvent } from '../../src/entities';
import { loanStateQuery, withdrawApplicationUpdate } from '../../src/workflows/messages';
import { APPLY, applicationInput, createCustomer, createProduct } from '../graphql/fixtures';
import { startTestApp, type TestApp } from '../utils';

let app: TestApp;
let customerId: string;
let productId: string;

beforeAll(async () => {
  app = await startTestApp();
  customerId = await createCustomer(app);
  productId = await createProduct(app);
});

afterAll(async () => {
  await app?.close();
});

async function apply(): Promise<string> {
  const res = await app.gql(APPLY, { input: applicationInput(customerId, productId) });
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.applyForLoan.id;
}

const actor = { id: 'officer-1', role: 'LOAN_OFFICER' };


async function acceptedUpdates(loanId: string): Promise<number> {
  const history = await app.temporal.client.workflow.getHandle(`loan-${loanId}`).fetchHistory();
  const accepted = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED;
  return (history.events ?? []).filter((e) => e.eventType === accepted).length;
}

async function updateFailure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => {
      throw new Error('expected the update to be rejected');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('withdrawApplication validator', () => {
  it('rejects an over-long reason with BAD_USER_INPUT before anything is recorded', async () => {
    const loanId = await apply();
    const handle = app.temporal.client.workflow.getHandle(`loan-${loanId}`);
    const failure = await updateFailure(
      handle.executeUpdate(withdrawApplicationUpdate, { args: [{ requestId: 'r-long', actor, payload: { reason: 'x'.repeat(501) } }] }),
    );
    expect(failure.type).toBe('BAD_USER_INPUT');
    expect(await handle.query(loanStateQuery)).toMatchObject({ stage: 'APPLICATION', status: 'SUBMITTED', version: 1 });
    // A rejected update leaves no trace in history: validators run before the update is accepted.
    expect(await acceptedUpdates(loanId)).toBe(0);
    expect((await app.orm.em.fork().findOneOrFail(Loan, loanId)).status).toBe('SUBMITTED');
    // The same workflow still accepts a valid update afterwards, and that one is in history.
    await handle.executeUpdate(withdrawApplicationUpdate, { args: [{ requestId: 'r-ok', actor, payload: {} }] });
    expect(await acceptedUpdates(loanId)).toBe(1);
  });

  it('rejects withdrawal in a wrong stage with INVALID_STAGE (while the workflow is still finishing)', async () => {
    const loanId = await apply();
    const handle = app.temporal.client.workflow.getHandle(`loan-${loanId}`);
    // Two updates in flight: the first moves the loan to WITHDRAWN synchronously, so the second's
    // validator sees the new stage and rejects it, even though the first is still persisting.
    const [first, second] = await Promise.allSettled([
      handle.executeUpdate(withdrawApplicationUpdate, { args: [{ requestId: 'r-1', actor, payload: {} }] }),
      handle.executeUpdate(withdrawApplicationUpdate, { args: [{ requestId: 'r-2', actor, payload: {} }] }),
    ]);
    const outcomes = [first, second];
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    const reason = rejected[0].reason as Error;
    // Either the validator rejected it (INVALID_STAGE), or it arrived after the workflow completed, or it
    // was admitted just before and the server aborted it as the run closed.
    if (reason instanceof WorkflowUpdateFailedError) {
      expect((reason.cause as ApplicationFailure).type).toBe('INVALID_STAGE');
    } else {
      expect(reason.message).toMatch(/completed|aborted by closing workflow/i);
    }
    expect(await app.orm.em.fork().count(LoanEvent, { loan: loanId, action: 'WITHDRAWN' })).toBe(1);
  });

  it('returns the first result for a repeated request id (update-id dedup)', async () => {
    const loanId = await apply();
    const handle = app.temporal.client.workflow.getHandle(`loan-${loanId}`);
    const first = await handle.executeUpdate(withdrawApplicationUpdate, { args: [{ requestId: 'same', actor, payload: {} }], updateId: 'same' });
    expect(first).toMatchObject({ stage: 'WITHDRAWN', version: 2 });
    expect(await handle.result()).toEqual(first);
  });
});

describe('durability', () => {
  it('survives a worker restart: an update sent while no worker runs completes on the next worker', async () => {
    const loanId = await apply();
    const handle = app.temporal.client.workflow.getHandle(`loan-${loanId}`);
    expect(await handle.query(loanStateQuery)).toMatchObject({ stage: 'APPLICATION' });

    await app.worker!.stop();
    // No worker: the update waits on the server (durably) instead of failing.
    const pending = handle.executeUpdate(withdrawApplicationUpdate, {
      args: [{ requestId: 'after-restart', actor, payload: { reason: 'worker was down' } }],
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await app.orm.em.fork().findOneOrFail(Loan, loanId)).status).toBe('SUBMITTED');

    // A brand-new worker replays the history from the server and carries on.
    await app.startWorker();
    expect(await pending).toMatchObject({ stage: 'WITHDRAWN', status: 'WITHDRAWN' });
    const row = await app.orm.em.fork().findOneOrFail(Loan, loanId);
    expect(row).toMatchObject({ stage: 'WITHDRAWN', status: 'WITHDRAWN', version: 2 });
    const events = await app.orm.em.fork().find(LoanEvent, { loan: loanId }, { orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.action, e.reason])).toEqual([['SUBMITTED', null], ['WITHDRAWN', 'worker was down']]);
  });
});
