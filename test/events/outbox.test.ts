/**
 * The transactional outbox: an event row commits exactly when its business transaction commits, one
 * per business change (retries add nothing), checked against its Avro schema, and ADMIN's switches.
 */
import { Customer, OutboxEvent, LoanEvent } from '../../src/entities';
import { decodeEvent, encodeEnvelope, encodePayload, fullSchemaName, normalizePayload, AVRO_SCHEMAS } from '../../src/events/avro';
import { ALL_EVENT_TYPES, EVENT_TYPES, routingKeyOf } from '../../src/events/catalog';
import { transitionEventType } from '../../src/events/loan-events';
import { recordBulkEvent, recordEvent } from '../../src/services/outbox.service';
import { recordTransition } from '../../src/services/loan.service';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { eventually, startTestApp, TEST_PASSWORD, unique, type TestApp } from '../utils';
import { APPLY, applicationInput, createProduct } from '../graphql/fixtures';
import { eventsConfig, ownDatabase } from './helpers';

let app: TestApp;
let db: { url: string; drop(): Promise<void> };
let productId: string;

beforeAll(async () => {
  db = await ownDatabase();
  app = await startTestApp({ configure: (c) => eventsConfig(c, db.url) });
  productId = await createProduct(app);
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

async function borrower(): Promise<{ token: string; customerId: string }> {
  const email = `${unique('b')}@example.com`;
  const res = await app.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`,
    { i: { firstName: 'Ada', lastName: 'Borrower', email, password: TEST_PASSWORD } }, null);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  const customer = await app.orm.em.fork().findOneOrFail(Customer, { email });
  return { token: res.data.register.accessToken, customerId: customer.id };
}

async function apply(token: string, customerId: string): Promise<string> {
  const res = await app.gql(APPLY, { input: applicationInput(customerId, productId) }, token);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.applyForLoan.id;
}

function eventsOf(loanId: string): Promise<OutboxEvent[]> {
  return app.orm.em.fork().find(OutboxEvent, { aggregateId: loanId }, { orderBy: { id: 'asc' } });
}

const repayment = (loanId: string, n: number) => ({
  loanId, customerId: '00000000-0000-0000-0000-000000000001', transactionId: `t${n}`, transactionDate: '2026-11-23',
  currencyCode: 'USD', amount: '100.00', actorId: 'system', actorRole: 'SYSTEM',
});

describe('an event commits exactly when its business transaction commits', () => {
  it('applyForLoan writes one LoanCreated row in its transaction, with the envelope fields', async () => {
    const b = await borrower();
    const loanId = await apply(b.token, b.customerId);
    const rows = await eventsOf(loanId);
    expect(rows.map((r) => r.type)).toEqual(['LoanCreated']);
    expect(rows[0]).toMatchObject({
      source: 'loan-platform', category: 'LOAN', aggregateType: 'Loan', aggregateId: loanId, idempotencyKey: `loan-${loanId}-created`,
      dataSchema: 'org.loanplatform.avro.loan.v1.LoanCreatedV1', sentAt: null,
    });
    expect(rows[0].payload).toMatchObject({ loanId, customerId: b.customerId, principal: '10000', currencyCode: 'USD', stage: 'APPLICATION', status: 'SUBMITTED' });
  });

  it('a transaction that fails after recording (in code, or at the database) leaves no event', async () => {
    const b = await borrower();
    const loanId = await apply(b.token, b.customerId);
    const em = app.orm.em.fork();
    await expect(em.transactional(async (tx) => {
      await recordEvent(tx, { type: 'LoanRepaymentRecorded', aggregateId: loanId, idempotencyKey: `rollback-${loanId}`, data: repayment(loanId, 1) });
      throw new Error('business rule failed after the event was recorded');
    })).rejects.toThrow('business rule failed');
    // A constraint violation at flush: a second timeline row with the same (loan, requestId).
    await expect(em.fork().transactional(async (tx) => {
      await recordEvent(tx, { type: 'LoanRepaymentRecorded', aggregateId: loanId, idempotencyKey: `constraint-${loanId}`, data: repayment(loanId, 2) });
      tx.create(LoanEvent, { loan: loanId, requestId: `apply-${loanId}`, action: 'DUPLICATE', toStage: 'APPLICATION', toStatus: 'SUBMITTED', actor: 'x', actorRole: 'SYSTEM' });
      await tx.flush();
    })).rejects.toThrow(/unique/i);
    expect((await eventsOf(loanId)).map((r) => r.type)).toEqual(['LoanCreated']);

    await em.fork().transactional(async (tx) => {
      await recordEvent(tx, { type: 'LoanRepaymentRecorded', aggregateId: loanId, idempotencyKey: `commit-${loanId}`, data: repayment(loanId, 3) });
    });
    const rows = await eventsOf(loanId);
    expect(rows.map((r) => r.idempotencyKey)).toEqual([`loan-${loanId}-created`, `commit-${loanId}`]);
    // Defaults from the schema are filled in: money portions "0", optional fields null.
    expect(rows[1].payload).toMatchObject({ amount: '100.00', principalPortion: '0', outstandingBalance: null });
  });

  it('refuses to record outside a transaction, and a payload that does not match its schema rolls the transaction back', async () => {
    const em = app.orm.em.fork();
    await expect(recordEvent(em, { type: 'LoanRepaymentRecorded', aggregateId: 'x', idempotencyKey: 'outside', data: repayment('x', 1) }))
      .rejects.toThrow(/inside the business transaction/);
    const b = await borrower();
    const loanId = await apply(b.token, b.customerId);
    await expect(em.transactional(async (tx) => {
      await recordEvent(tx, { type: 'LoanRepaymentRecorded', aggregateId: loanId, idempotencyKey: `bad-${loanId}`, data: { ...repayment(loanId, 1), amount: 100 as unknown as string } });
    })).rejects.toThrow(/does not match LoanRepaymentRecordedV1 at amount/);
    expect(await eventsOf(loanId)).toHaveLength(1);
  });

  it('every workflow transition writes exactly one event with its timeline row; a retried activity writes none', async () => {
    const b = await borrower();
    const loanId = await apply(b.token, b.customerId);
    const submitted = await app.gql(`mutation($id: ID!) { submitApplication(loanId: $id) { stage } }`, { id: loanId }, b.token);
    expect(submitted.data.submitApplication.stage).toBe('KYC_REVIEW');
    const withdrawn = await app.gql(`mutation($id: ID!) { withdrawApplication(loanId: $id, reason: "changed my mind") { stage } }`, { id: loanId }, b.token);
    expect(withdrawn.data.withdrawApplication.stage).toBe('WITHDRAWN');
    await eventually(async () => (await eventsOf(loanId)).length === 3, 20000, 'three events');
    const rows = await eventsOf(loanId);
    const timeline = await app.orm.em.fork().find(LoanEvent, { loan: loanId }, { orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.type)).toEqual(['LoanCreated', 'LoanStageChanged', 'LoanStageChanged']);
    expect(rows.map((r) => r.idempotencyKey)).toEqual(timeline.map((t) => (t.action === 'SUBMITTED' ? `loan-${loanId}-created` : `loan-${loanId}-${t.requestId}`)));
    expect(rows[2].payload).toMatchObject({ fromStage: 'KYC_REVIEW', toStage: 'WITHDRAWN', toStatus: 'WITHDRAWN', reason: 'changed my mind', actorRole: 'CUSTOMER' });

    // The activity retried after a lost acknowledgement: same request id → no second timeline row, no second event.
    const last = timeline[timeline.length - 1];
    await recordTransition({ em: app.orm.em.fork(), actor: SYSTEM_ACTOR, config: app.config }, {
      loanId, requestId: last.requestId, action: last.action, fromStage: 'KYC_REVIEW', fromStatus: 'SUBMITTED', toStage: 'WITHDRAWN', toStatus: 'WITHDRAWN',
      actor: { id: b.customerId, role: 'CUSTOMER' },
    });
    expect(await eventsOf(loanId)).toHaveLength(3);
  });

  it('the same idempotency key in a later transaction is a no-op', async () => {
    const b = await borrower();
    const loanId = await apply(b.token, b.customerId);
    const em = app.orm.em.fork();
    const first = await em.transactional((tx) => recordEvent(tx, { type: 'PenaltyApplied', aggregateId: loanId, idempotencyKey: `pen-${loanId}`, data: { loanId, customerId: b.customerId, appliedOn: '2026-11-23', currencyCode: 'USD', amount: '5.00' } }));
    const again = await em.fork().transactional((tx) => recordEvent(tx, { type: 'PenaltyApplied', aggregateId: loanId, idempotencyKey: `pen-${loanId}`, data: { loanId, customerId: b.customerId, appliedOn: '2026-11-23', currencyCode: 'USD', amount: '5.00' } }));
    expect(first).toMatch(/^\d+$/);
    expect(again).toBeNull();
    expect((await eventsOf(loanId)).map((r) => r.type)).toEqual(['LoanCreated', 'PenaltyApplied']);
  });
});

describe('which event a transition produces', () => {
  it('maps transitions to the most specific type, one each', () => {
    const t = (fromStage: string, toStage: string, fromStatus: string, toStatus: string, activate = false) =>
      transitionEventType({ fromStage, toStage, fromStatus, toStatus, activate } as never);
    expect(t('APPROVAL', 'AGREEMENT', 'SUBMITTED', 'APPROVED')).toBe('LoanApproved');
    expect(t('APPROVAL', 'REJECTED', 'SUBMITTED', 'REJECTED')).toBe('LoanRejected');
    expect(t('ACTIVATION', 'REPAYMENT', 'APPROVED', 'ACTIVE', true)).toBe('LoanDisbursed');
    expect(t('REPAYMENT', 'CLOSED', 'ACTIVE', 'CLOSED_OBLIGATIONS_MET')).toBe('LoanClosed');
    expect(t('AGREEMENT', 'ACTIVATION', 'APPROVED', 'APPROVED')).toBe('LoanStageChanged');
    expect(t('DISCUSSION', 'DISCUSSION', 'SUBMITTED', 'SUBMITTED')).toBe('LoanActionRecorded');
  });
});

describe('Avro schemas', () => {
  it('every event type has a parseable, versioned schema and a routing key', () => {
    for (const [type, info] of Object.entries(EVENT_TYPES)) {
      expect(AVRO_SCHEMAS[info.schema]).toBeDefined();
      expect(fullSchemaName(info.schema)).toMatch(/^org\.loanplatform\.avro\.[a-z]+\.v1\.[A-Za-z]+V1$/);
      expect(routingKeyOf(type)).toBe(`${info.category.toLowerCase()}.${type}`);
    }
    expect(ALL_EVENT_TYPES).toContain('BulkBusinessEvent');
  });

  it('round-trips an envelope and a COB bulk message (one message, its items decoded by their own schemas)', () => {
    const penalty = normalizePayload('PenaltyApplied', { loanId: 'l1', customerId: 'c1', appliedOn: '2026-11-23', currencyCode: 'USD', amount: '12.50', installmentNumber: 3 });
    const cob = normalizePayload('CobLoanProcessed', { loanId: 'l1', businessDate: '2026-11-23', steps: ['APPLY_PENALTIES', 'UPDATE_DELINQUENCY'], status: 'SUCCESS', daysPastDue: 4 });
    const data = encodePayload('BulkBusinessEvent', { items: [{ type: 'PenaltyApplied', data: penalty }, { type: 'CobLoanProcessed', data: cob }] }, 'l1', '2026-11-23');
    const buf = encodeEnvelope({
      id: 42, source: 'loan-platform', type: 'BulkBusinessEvent', category: 'BULK', createdAt: '2026-11-23T10:00:00.000Z', businessDate: '2026-11-23',
      idempotencyKey: 'cob-2026-11-23-l1', aggregateType: 'Loan', aggregateId: 'l1', dataschema: 'org.loanplatform.avro.generic.v1.BulkMessagePayloadV1', data,
    });
    const decoded = decodeEvent(buf);
    expect(decoded).toMatchObject({ id: 42, type: 'BulkBusinessEvent', businessDate: '2026-11-23', aggregateId: 'l1' });
    expect(decoded.data.items.map((i: { type: string }) => i.type)).toEqual(['PenaltyApplied', 'CobLoanProcessed']);
    expect(decoded.data.items[0].data).toMatchObject({ amount: '12.50', installmentNumber: 3, dueDate: null });
    expect(decoded.data.items[1].data).toMatchObject({ steps: ['APPLY_PENALTIES', 'UPDATE_DELINQUENCY'], daysPastDue: 4 });
  });

  it('recordBulkEvent writes one row per loan per run with every item in order', async () => {
    const b = await borrower();
    const loanId = await apply(b.token, b.customerId);
    const em = app.orm.em.fork();
    await em.transactional((tx) => recordBulkEvent(tx, {
      aggregateId: loanId, businessDate: '2026-11-23', idempotencyKey: `cob-2026-11-23-${loanId}`,
      items: [
        { type: 'PenaltyApplied', data: { loanId, customerId: b.customerId, appliedOn: '2026-11-23', currencyCode: 'USD', amount: '5.00' } },
        { type: 'CobLoanProcessed', data: { loanId, businessDate: '2026-11-23', steps: ['APPLY_PENALTIES'], status: 'SUCCESS' } },
      ],
    }));
    const rows = await eventsOf(loanId);
    expect(rows.map((r) => r.type)).toEqual(['LoanCreated', 'BulkBusinessEvent']);
    expect(rows[1]).toMatchObject({ category: 'BULK', businessDate: '2026-11-23' });
    expect((rows[1].payload as { items: { type: string }[] }).items.map((i) => i.type)).toEqual(['PenaltyApplied', 'CobLoanProcessed']);
  });
});

describe('ADMIN enables and disables event types through GraphQL', () => {
  const SET = `mutation($type: String!, $enabled: Boolean!) { setEventTypeEnabled(type: $type, enabled: $enabled) { type enabled updatedBy category schema } }`;

  it('a disabled type is not written; enabling it again restores it; only ADMIN may switch', async () => {
    const officer = await app.tokenFor(['LOAN_OFFICER']);
    expect((await app.gql(SET, { type: 'LoanCreated', enabled: false }, officer)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await app.gql(SET, { type: 'NoSuchEvent', enabled: false })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'type' });

    const off = await app.gql(SET, { type: 'LoanCreated', enabled: false });
    expect(off.data.setEventTypeEnabled).toMatchObject({ type: 'LoanCreated', enabled: false, category: 'LOAN', schema: 'org.loanplatform.avro.loan.v1.LoanCreatedV1' });
    const list = await app.gql(`{ eventTypes { type enabled } }`);
    expect(list.data.eventTypes).toEqual(expect.arrayContaining([{ type: 'LoanCreated', enabled: false }, { type: 'LoanApproved', enabled: true }]));
    try {
      const b = await borrower();
      const quiet = await apply(b.token, b.customerId);
      expect(await eventsOf(quiet)).toHaveLength(0);
    } finally {
      expect((await app.gql(SET, { type: 'LoanCreated', enabled: true })).data.setEventTypeEnabled.enabled).toBe(true);
    }
    const b = await borrower();
    expect((await eventsOf(await apply(b.token, b.customerId))).map((r) => r.type)).toEqual(['LoanCreated']);
  });
});
