/**
 * Close of business through Temporal (parent → child workflows → heartbeating chunk activities) on
 * its own database, so the business date and the ledger here belong to this file alone: accruals,
 * penalties and delinquency over several dates, catch-up in order, idempotent reruns, configurable
 * steps, LOAN_LOCKED while a chunk runs, inline COB, failed loans and retry, and the daily schedule.
 */
import { Client } from 'pg';
import { interestEarnedBy } from '../../src/domain/accrual';
import { addDays } from '../../src/domain/dates';
import { Decimal } from '../../src/domain/money';
import { dropDatabase, openDatabase } from '../../src/database';
import { cobSettings } from '../../src/services/cob-run.service';
import { sql } from '../../src/services/sql';
import { eventually, startTestApp, unique, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import { activeLoan, createStaff, ok, type Staff, expectLedgerConsistent } from './lifecycle';

let app: TestApp;
let staff: Staff;
let productId: string;
let penaltyName: string;
let databaseUrl: string;
const START = '2027-01-01';

const ADVANCE = `mutation($to: LocalDate, $cob: Boolean) { advanceBusinessDate(to: $to, runCob: $cob) { businessDate cob { workflowId upTo url } } }`;
const RUN = `mutation($upTo: LocalDate) { runCloseOfBusiness(upTo: $upTo) { workflowId runId upTo } }`;
const LOAN = `query($id: ID!) { loan(id: $id) { id status lastCobDate daysPastDue delinquencyClass overdueAmount nextDueDate nextDueAmount
  installments { installmentNumber fromDate dueDate principalDue interestDue penaltyChargesDue interestAccrued completed } } }`;
const REPAY = `mutation($l: ID!, $a: Decimal!, $k: String!) { recordRepayment(loanId: $l, amount: $a, idempotencyKey: $k) { id penaltyPortion } }`;
const CHARGE = `mutation($i: CreateChargeInput!) { createCharge(input: $i) { id name chargeTimeType penalty graceDays feeInterval } }`;
const CHARGES = `query($id: ID!) { loan(id: $id) { charges { id name chargeTimeType chargeCalculationType penalty amount dueDate installmentNumber } } }`;

/** Journal lines of one loan transaction: [code, entry type, amount]. */
async function lines(transactionId: string): Promise<[string, string, string][]> {
  const found = await sql<{ code: string; entry_type: string; amount: string }>(app.orm.em.fork(), `
    select a.code, e.entry_type, e.amount::text from journal_entry e join gl_account a on a.id = e.gl_account_id
     where e.loan_transaction_id = ? order by a.code, e.entry_type`, [transactionId]);
  return found.map((r) => [r.code, r.entry_type, new Decimal(r.amount).toFixed()]);
}

async function rows<T = any>(query: string, params: unknown[] = []): Promise<T[]> {
  return sql<T>(app.orm.em.fork(), query, params);
}

/** Runs a mutation that starts COB and waits for its workflow to finish. */
async function cob(query: string, vars: Record<string, unknown>): Promise<any> {
  const started = await ok(app, query, vars, staff.admin.token);
  const workflowId = started.workflowId ?? started.cob?.workflowId;
  if (workflowId) await app.temporal.client.workflow.getHandle(workflowId).result();
  return started;
}

async function loan(id: string): Promise<any> {
  return ok(app, LOAN, { id }, app.token);
}

beforeAll(async () => {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_cob`;
  databaseUrl = url.toString();
  await (await openDatabase(databaseUrl, { migrate: true })).close();
  app = await startTestApp({ configure: (c) => { c.databaseUrl = databaseUrl; c.cob.chunkSize = 2; c.cob.partitionSize = 3; } });
  staff = await createStaff(app);
  // The overdue penalty is an OVERDUE_INSTALLMENT charge among the product's charges (Fineract's model).
  penaltyName = unique('Late payment penalty');
  const penalty = await ok(app, CHARGE, { i: { name: penaltyName, chargeTimeType: 'OVERDUE_INSTALLMENT', chargeCalculationType: 'FLAT', amount: '10.00', currencyCode: 'USD', graceDays: 3 } }, staff.admin.token);
  expect(penalty).toMatchObject({ chargeTimeType: 'OVERDUE_INSTALLMENT', penalty: true, graceDays: 3, feeInterval: null });
  productId = await createProduct(app, { maxPrincipal: '100000.00', chargeIds: [penalty.id] });
  const configured = await app.gql(`mutation($p: ID!, $i: ProductServicingInput!) { configureProductServicing(productId: $p, input: $i) { accountingRule allocationStrategy } }`, {
    p: productId, i: { accountingRule: 'ACCRUAL_PERIODIC', allocationStrategy: 'PENALTIES_FEES_INTEREST_PRINCIPAL' },
  }, staff.admin.token);
  expect(configured.data.configureProductServicing).toEqual({ accountingRule: 'ACCRUAL_PERIODIC', allocationStrategy: 'PENALTIES_FEES_INTEREST_PRINCIPAL' });
  const badRule = await app.gql(`mutation($p: ID!, $i: ProductServicingInput!) { configureProductServicing(productId: $p, input: $i) { id } }`, {
    p: productId, i: { accountingRule: 'ACCRUAL_UPFRONT', allocationStrategy: 'PENALTIES_FEES_INTEREST_PRINCIPAL' },
  }, staff.admin.token);
  expect(badRule.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.accountingRule' });
  await ok(app, ADVANCE, { to: START, cob: false }, staff.admin.token);
});

afterAll(async () => {
  await app?.close();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

describe('close of business over several business dates', () => {
  const loans: string[] = [];

  it('accrues interest daily, charges overdue penalties after the grace days and classifies delinquency', async () => {
    for (const [principal, rate] of [['1200.00', '12'], ['2400.00', '24'], ['900.00', '18'], ['3000.00', '9']]) {
      loans.push((await activeLoan(app, staff, productId, { principal, rate, repayments: 6, disbursementDate: START })).loanId);
    }
    // Ten missed days are closed in order, by one parent and its children (4 loans, 3 per partition → 2 children a day).
    // The dev server may be shared with earlier runs of this file: only this run's children count.
    const since = new Date(Date.now() - 1000).toISOString();
    await cob(ADVANCE, { to: '2027-01-11', cob: true });
    const until = new Date(Date.now() + 1000).toISOString();
    const runs = await rows<{ business_date: string; status: string; loans_processed: number }>(`select business_date::text, status, loans_processed from cob_run order by business_date`);
    expect(runs.map((r) => r.business_date)).toEqual(Array.from({ length: 10 }, (_, i) => addDays(START, i)));
    expect(runs.every((r) => r.status === 'COMPLETED' && r.loans_processed === 4)).toBe(true);
    const children = await app.temporal.client.workflow.list({ query: `WorkflowId STARTS_WITH "cob-2027-01-05-p" AND StartTime BETWEEN "${since}" AND "${until}"` });
    const childIds: string[] = [];
    for await (const w of children) childIds.push(w.workflowId);
    expect(childIds.sort()).toEqual(['cob-2027-01-05-p0', 'cob-2027-01-05-p1']);
    // Ops see the outcome in the Temporal UI's list: the parent's memo.
    expect((await app.temporal.client.workflow.getHandle('cob-2027-01-10').describe()).memo).toEqual({ summary: 'closed 2027-01-10: 4 loans processed, 0 failed' });

    // Accrued interest equals the engine's earned-by for the next morning, per installment.
    for (const id of loans) {
      const l = await loan(id);
      expect(l.lastCobDate).toBe('2027-01-10');
      for (const i of l.installments) {
        const inst = { period: i.installmentNumber, fromDate: i.fromDate, dueDate: i.dueDate, due: { principal: new Decimal(i.principalDue), interest: new Decimal(i.interestDue), fee: new Decimal(0), penalty: new Decimal(0) }, paid: {} as never, waived: {} as never };
        expect(i.interestAccrued).toBe(interestEarnedBy(inst, '2027-01-11', { digitsAfterDecimal: 2 }).toFixed());
      }
    }
    const [acc] = await rows<{ n: string; total: string }>(`select count(*)::text as n, sum(amount)::text as total from loan_transaction where type = 'ACCRUAL'`);
    expect(Number(acc.n)).toBe(40);
    const [accrued] = await rows<{ total: string }>(`select sum(interest_accrued)::text as total from loan_installment`);
    expect(new Decimal(acc.total).eq(accrued.total)).toBe(true);
    await expectLedgerConsistent(app);

    // Due 2027-02-01, 3 grace days: the penalty is due on 2027-02-05, so the COB of 02-04 charges it.
    await cob(ADVANCE, { to: '2027-02-04', cob: true });
    let l = await loan(loans[0]);
    expect(l.installments[0].penaltyChargesDue).toBe('0');
    expect(l).toMatchObject({ daysPastDue: 3, delinquencyClass: 'RANGE_1_30', nextDueDate: '2027-03-01' });
    await cob(ADVANCE, { to: '2027-02-05', cob: true });
    l = await loan(loans[0]);
    expect(l.installments[0].penaltyChargesDue).toBe('10');
    expect(l.daysPastDue).toBe(4);
    const i1 = l.installments[0];
    expect(new Decimal(l.overdueAmount).eq(new Decimal(i1.principalDue).plus(i1.interestDue).plus(10))).toBe(true);
    const penalties = await rows<{ transaction_date: string; n: string }>(`select transaction_date::text, count(*)::text as n from loan_transaction where type = 'PENALTY' group by 1`);
    expect(penalties).toEqual([{ transaction_date: '2027-02-04', n: '4' }]);
    // Each application is a loan charge (Fineract's m_loan_charge row), due the day the grace ran out.
    const charged = (await ok(app, CHARGES, { id: loans[0] }, app.token)).charges.filter((c: any) => c.installmentNumber != null);
    expect(charged).toEqual([{ id: expect.any(String), name: penaltyName, chargeTimeType: 'OVERDUE_INSTALLMENT', chargeCalculationType: 'FLAT', penalty: true, amount: '10', dueDate: '2027-02-05', installmentNumber: 1 }]);
    const [penaltyTx] = await rows<{ id: string }>(`select id::text from loan_transaction where loan_id = ? and type = 'PENALTY'`, [loans[0]]);
    expect(await lines(penaltyTx.id)).toEqual([['1220', 'DEBIT', '10'], ['4200', 'CREDIT', '10']]);
    // One outbox message per loan per COB date, carrying the penalty and the loan's state.
    const bulk = await rows<{ business_date: string; n: string }>(`select business_date::text, count(*)::text as n from outbox_event where type = 'BulkBusinessEvent' group by 1 order by 1`);
    expect(bulk).toHaveLength(35); // 2027-01-01 … 2027-02-04
    expect(bulk.every((b) => b.n === '4')).toBe(true);
    const [message] = await rows<{ payload: any }>(`select payload from outbox_event where type = 'BulkBusinessEvent' and aggregate_id = ? and business_date = '2027-02-04'`, [loans[0]]);
    expect(message.payload.items.map((i: any) => i.type)).toEqual(['PenaltyApplied', 'CobLoanProcessed']);
    expect(message.payload.items[0].data).toMatchObject({ loanId: loans[0], amount: '10', installmentNumber: 1, dueDate: '2027-02-01', chargeName: penaltyName });
    expect(message.payload.items[1].data).toMatchObject({ status: 'SUCCESS', daysPastDue: 4 });
    await expectLedgerConsistent(app);

    // Paying the overdue installment settles the penalty first; the next COB clears the delinquency.
    const paid = await ok(app, REPAY, { l: loans[0], a: l.overdueAmount, k: 'overdue-1' }, staff.officer.token);
    expect(paid.penaltyPortion).toBe('10');
    await cob(ADVANCE, { to: '2027-02-06', cob: true });
    expect(await loan(loans[0])).toMatchObject({ daysPastDue: 0, delinquencyClass: null, overdueAmount: '0' });
    expect((await loan(loans[1])).daysPastDue).toBe(5);
    await expectLedgerConsistent(app);
  });

  it('waives a penalty and accrued interest, reversing the income already booked', async () => {
    const WAIVE = `mutation($l: ID!, $c: WaiveComponent!, $k: String!, $a: Decimal, $n: Int) {
      waiveLoanCharge(loanId: $l, component: $c, reason: "goodwill", idempotencyKey: $k, amount: $a, installmentNumber: $n) { id type amount interestPortion penaltyPortion } }`;
    const code = async (vars: Record<string, unknown>, token = staff.manager.token) => (await app.gql(WAIVE, vars, token)).errors?.[0]?.extensions;
    expect(await code({ l: loans[1], c: 'PENALTY', k: 'w0' }, staff.officer.token)).toMatchObject({ code: 'FORBIDDEN' });
    expect(await code({ l: loans[1], c: 'FEES', k: 'w0' })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await code({ l: loans[1], c: 'PENALTY', k: 'w0', a: '10.01' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    const penalty = await ok(app, WAIVE, { l: loans[1], c: 'PENALTY', k: 'w-penalty' }, staff.manager.token);
    expect(penalty).toMatchObject({ type: 'WAIVE_PENALTY', amount: '10', penaltyPortion: '10' });
    const penaltyLines = await rows<{ code: string; entry_type: string; amount: string }>(`
      select a.code, e.entry_type, e.amount::text from journal_entry e join gl_account a on a.id = e.gl_account_id where e.loan_transaction_id = ? order by a.code`, [penalty.id]);
    expect(penaltyLines).toEqual([{ code: '1220', entry_type: 'CREDIT', amount: '10.000000' }, { code: '4200', entry_type: 'DEBIT', amount: '10.000000' }]);
    const before = (await loan(loans[1])).installments[0];
    const interest = await ok(app, WAIVE, { l: loans[1], c: 'INTEREST', k: 'w-interest', a: '1.00', n: 1 }, staff.manager.token);
    expect(interest).toMatchObject({ type: 'WAIVE_INTEREST', amount: '1', interestPortion: '1' });
    const after = (await loan(loans[1])).installments[0];
    expect(new Decimal(before.interestAccrued).minus(after.interestAccrued).toFixed()).toBe('1');
    expect(after.penaltyChargesDue).toBe('10');
    const [inst] = await rows<{ interest_waived: string; penalty_waived: string }>(`select interest_waived::text, penalty_waived::text from loan_installment where loan_id = ? and installment_number = 1`, [loans[1]]);
    expect(inst).toEqual({ interest_waived: '1.000000', penalty_waived: '10.000000' });
    // One application of the overdue charge, waived as a loan charge: the penalty income booked by COB is reversed.
    const [applied] = (await ok(app, CHARGES, { id: loans[2] }, app.token)).charges.filter((c: any) => c.chargeTimeType === 'OVERDUE_INSTALLMENT' && c.installmentNumber === 1);
    const byCharge = await ok(app, `mutation($l: ID!, $lc: ID!, $k: String!) {
      waiveLoanCharge(loanId: $l, component: CHARGE, loanChargeId: $lc, reason: "goodwill", idempotencyKey: $k) { id type amount penaltyPortion } }`,
    { l: loans[2], lc: applied.id, k: 'w-overdue-charge' }, staff.manager.token);
    expect(byCharge).toMatchObject({ type: 'WAIVE_CHARGE', amount: '10', penaltyPortion: '10' });
    expect(await lines(byCharge.id)).toEqual([['1220', 'CREDIT', '10'], ['4200', 'DEBIT', '10']]);
    expect((await loan(loans[2])).installments[0].penaltyChargesDue).toBe('10');
    await expectLedgerConsistent(app);
  });

  it('re-running a closed date changes nothing', async () => {
    const COUNTS = `select count(*)::text as n from journal_entry union all select count(*)::text from loan_transaction union all select count(*)::text from loan_charge`;
    const before = await rows<{ n: string }>(COUNTS);
    const snapshot = await rows(`select id, interest_accrued::text, penalty_charges_due::text from loan_installment order by id`);
    await cob(RUN, { upTo: '2027-02-05' });
    expect(await rows(COUNTS)).toEqual(before);
    expect(await rows(`select id, interest_accrued::text, penalty_charges_due::text from loan_installment order by id`)).toEqual(snapshot);
    const res = await app.gql(RUN, { upTo: '2027-02-06' }, staff.admin.token);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('runs only the enabled steps, in the configured order', async () => {
    const steps = await ok(app, `query { cobJobSteps { stepName stepOrder enabled } }`, {}, app.token);
    expect(steps.map((s: any) => s.stepName)).toEqual([
      'APPLY_PENALTY_FOR_OVERDUE_LOANS', 'ADD_PERIODIC_ACCRUAL_ENTRIES', 'CHECK_LOAN_REPAYMENT_DUE', 'CHECK_LOAN_REPAYMENT_OVERDUE',
      'LOAN_DELINQUENCY_CLASSIFICATION', 'CLOSE_FULLY_REPAID_LOANS',
    ]);
    const UPDATE = `mutation($s: [CobStepInput!]!) { updateCobJobSteps(jobName: "LOAN_CLOSE_OF_BUSINESS", steps: $s) { stepName stepOrder enabled } }`;
    const bad = await app.gql(UPDATE, { s: [{ stepName: 'DROP_TABLES', enabled: true }] }, staff.admin.token);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'steps[0].stepName' });
    expect((await app.gql(UPDATE, { s: [] }, staff.officer.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const without = steps.map((s: any) => ({ stepName: s.stepName, enabled: s.stepName !== 'ADD_PERIODIC_ACCRUAL_ENTRIES' })).reverse();
    const saved = await ok(app, UPDATE, { s: without }, staff.admin.token);
    expect(saved[0]).toMatchObject({ stepName: 'CLOSE_FULLY_REPAID_LOANS', stepOrder: 1 });
    await cob(ADVANCE, { to: '2027-02-07', cob: true });
    expect(await rows(`select 1 from loan_transaction where type = 'ACCRUAL' and transaction_date = '2027-02-06'`)).toHaveLength(0);
    expect((await loan(loans[1])).daysPastDue).toBe(6);
    await ok(app, UPDATE, { s: steps.map((s: any) => ({ stepName: s.stepName, enabled: true })) }, staff.admin.token);
    await cob(ADVANCE, { to: '2027-02-08', cob: true });
    // Accrual is cumulative: the skipped day is caught up by the next one.
    const [{ n }] = await rows<{ n: string }>(`select count(*)::text as n from loan_installment where interest_accrued <> round_half_even((interest_due - interest_waived) * least(1, ('2027-02-08'::date - from_date)::numeric / (due_date - from_date)), 2) and from_date < '2027-02-08'`);
    expect(n).toBe('0');
    await expectLedgerConsistent(app);
  });

  it('locks a chunk while it is processed: a repayment then fails with LOAN_LOCKED and changes nothing', async () => {
    // Hold the loans' rows so the first COB chunk, having committed its lock, waits mid-processing.
    const blocker = new Client({ connectionString: databaseUrl });
    await blocker.connect();
    let workflowId = '';
    let locked = '';
    try {
      await blocker.query('begin');
      await blocker.query(`select id from loan where id = any($1::uuid[]) for no key update`, [loans]);
      workflowId = (await ok(app, ADVANCE, { to: '2027-02-09', cob: true }, staff.admin.token)).cob.workflowId;
      await eventually(async () => (await rows(`select 1 from cob_chunk_lock`)).length > 0, 20000, 'the COB lock');
      // One row holds the chunk: its range, for the loans still to close for its date.
      const held = await rows<{ id: string }>(`
        select l.id::text from loan l join cob_chunk_lock c on l.id between c.from_loan_id and c.to_loan_id
         where l.status = 'ACTIVE' and (l.last_cob_date is null or l.last_cob_date < c.business_date) order by l.id`);
      expect(held.length).toBeGreaterThan(0);
      locked = held[0].id;
      const res = await app.gql(REPAY, { l: locked, a: '10.00', k: 'while-locked' }, staff.officer.token);
      expect(res.errors?.[0]?.extensions?.code).toBe('LOAN_LOCKED');
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    await app.temporal.client.workflow.getHandle(workflowId).result();
    expect(await rows(`select 1 from loan_transaction where request_id = 'while-locked'`)).toHaveLength(0);
    expect(await rows(`select 1 from loan_account_lock`)).toHaveLength(0);
    expect(await rows(`select 1 from cob_chunk_lock`)).toHaveLength(0);
    expect((await ok(app, REPAY, { l: locked, a: '10.00', k: 'after-lock' }, staff.officer.token)).id).toBeTruthy();
  });

  it('runs COB inline for a loan behind the business date before a write to it', async () => {
    await ok(app, ADVANCE, { to: '2027-02-12', cob: false }, staff.admin.token);
    expect((await loan(loans[3])).lastCobDate).toBe('2027-02-08');
    await ok(app, REPAY, { l: loans[3], a: '5.00', k: 'inline' }, staff.officer.token);
    const l = await loan(loans[3]);
    expect(l.lastCobDate).toBe('2027-02-11');
    expect(l.daysPastDue).toBe(11);
    const accruals = await rows<{ d: string }>(`select transaction_date::text as d from loan_transaction where loan_id = ? and type = 'ACCRUAL' and transaction_date > '2027-02-08' order by 1`, [loans[3]]);
    expect(accruals.map((a) => a.d)).toEqual(['2027-02-09', '2027-02-10', '2027-02-11']);
    // The other loans stay behind until the nightly run catches them up.
    expect((await loan(loans[1])).lastCobDate).toBe('2027-02-08');
    await cob(RUN, {});
    expect((await loan(loans[1])).lastCobDate).toBe('2027-02-11');
    await expectLedgerConsistent(app);
  });

  it('reports a loan whose COB failed, keeps it locked, and processes it after a retry', async () => {
    const broken = await createProduct(app, { maxPrincipal: '100000.00' });
    await ok(app, `mutation($p: ID!, $i: ProductServicingInput!) { configureProductServicing(productId: $p, input: $i) { id } }`,
      { p: broken, i: { accountingRule: 'ACCRUAL_PERIODIC', allocationStrategy: 'PENALTIES_FEES_INTEREST_PRINCIPAL' } }, staff.admin.token);
    const { loanId } = await activeLoan(app, staff, broken, { principal: '1000.00', rate: '10', repayments: 3, disbursementDate: '2027-02-12' });
    // Its GL mapping points at an account that no longer exists: the accrual cannot be booked.
    await rows(`update loan_product set gl_mapping = '{"INCOME_FROM_INTEREST": "9999"}' where id = ?`, [broken]);
    await cob(ADVANCE, { to: '2027-02-13', cob: true });
    const failed = await ok(app, `query { failedCobLoans { loanId businessDate error } }`, {}, app.token);
    expect(failed).toEqual([{ loanId, businessDate: '2027-02-12', error: expect.stringMatching(/^unbalanced journal entry for loan transaction \d+$/) }]);
    const [run] = await rows<{ status: string; loans_failed: number }>(`select status, loans_failed from cob_run where business_date = '2027-02-12'`);
    expect(run).toEqual({ status: 'COMPLETED_WITH_FAILURES', loans_failed: 1 });
    expect((await loan(loans[0])).lastCobDate).toBe('2027-02-12');
    expect((await app.gql(REPAY, { l: loanId, a: '10.00', k: 'failed-loan' }, staff.officer.token)).errors?.[0]?.extensions?.code).toBe('LOAN_LOCKED');

    await rows(`update loan_product set gl_mapping = null where id = ?`, [broken]);
    await cob(`mutation { retryFailedCob { workflowId released } }`, {});
    expect(await ok(app, `query { failedCobLoans { loanId } }`, {}, app.token)).toEqual([]);
    expect((await loan(loanId)).lastCobDate).toBe('2027-02-12');
    await expectLedgerConsistent(app);
  });

  it('the daily schedule advances the business date and closes the day that ended', async () => {
    const scheduleId = `test-cob-${Date.now()}`;
    await app.temporal.ensureCobSchedule(cobSettings(app.config), '30 23 * * *', 'UTC', scheduleId);
    const handle = app.temporal.client.schedule.getHandle(scheduleId);
    try {
      // A restart with another time zone updates the schedule in place.
      await app.temporal.ensureCobSchedule(cobSettings(app.config), '0 2 * * *', 'Europe/Berlin', scheduleId);
      const d = await handle.describe();
      expect(d.spec.timezone).toBe('Europe/Berlin');
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'businessDayWorkflow' });
      await handle.trigger();
      await eventually(async () => (await rows(`select 1 from cob_run where business_date = '2027-02-13' and status = 'COMPLETED'`)).length === 1, 60000, 'the scheduled COB');
      expect(await ok(app, `query { businessDate }`, {}, app.token)).toBe('2027-02-14');
    } finally {
      await handle.delete();
    }
  });

  it('closes a loan it finds fully repaid through the loan\'s own workflow', async () => {
    const { loanId } = await activeLoan(app, staff, productId, { principal: '600.00', rate: '12', repayments: 3, disbursementDate: '2027-02-14' });
    // Settled outside the servicing path (e.g. balances migrated in from another system).
    await rows(`update loan_installment set principal_paid = principal_due, interest_paid = interest_due, completed = true where loan_id = ?`, [loanId]);
    await cob(ADVANCE, { to: '2027-02-15', cob: true });
    await eventually(async () => (await ok(app, `query($id: ID!) { loan(id: $id) { status } }`, { id: loanId }, app.token)).status === 'CLOSED_OBLIGATIONS_MET', 20000, 'the loan to close');
    const l = await ok(app, `query($id: ID!) { loan(id: $id) { stage timeline { action actorRole reason } } }`, { id: loanId }, app.token);
    expect(l.stage).toBe('CLOSED');
    expect(l.timeline.at(-1)).toEqual({ action: 'CLOSE', actorRole: 'SYSTEM', reason: 'fully repaid (close of business)' });
    // The projection is written before the workflow finishes its last task: wait for the run to end.
    const handle = app.temporal.client.workflow.getHandle(`loan-${loanId}`);
    await handle.result();
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('accrues installment fees on their due date and charges an overdue fee every feeInterval days; a repayment settles the receivable', async () => {
    const charge = (i: Record<string, unknown>) => ok(app, CHARGE, { i: { name: unique('charge'), chargeCalculationType: 'FLAT', currencyCode: 'USD', ...i } }, staff.admin.token);
    const accountFee = await charge({ chargeTimeType: 'INSTALLMENT_FEE', amount: '2.50' });
    const lateFee = await charge({ chargeTimeType: 'OVERDUE_INSTALLMENT', amount: '4.00', penalty: false, feeInterval: 2 });
    expect(lateFee).toMatchObject({ penalty: false, graceDays: 0, feeInterval: 2 });
    const feeProduct = await createProduct(app, { maxPrincipal: '100000.00', chargeIds: [accountFee.id, lateFee.id] });
    await ok(app, `mutation($p: ID!) { configureProductServicing(productId: $p, input: { accountingRule: "ACCRUAL_PERIODIC", allocationStrategy: "PENALTIES_FEES_INTEREST_PRINCIPAL" }) { id } }`,
      { p: feeProduct }, staff.admin.token);
    const { loanId } = await activeLoan(app, staff, feeProduct, { principal: '1200.00', rate: '12', repayments: 3, disbursementDate: '2027-02-15' });
    const FEES = `query($id: ID!) { loan(id: $id) { overdueAmount installments { dueDate feeChargesDue feePaid } } }`;
    const due1 = (await ok(app, FEES, { id: loanId }, app.token)).installments[0].dueDate;
    expect(due1).toBe('2027-03-15');
    const feeAccrued = async () => (await rows<{ f: string }>(`select fee_accrued::text as f from loan_installment where loan_id = ? order by installment_number`, [loanId])).map((r) => new Decimal(r.f).toFixed());
    const receivable = async () => {
      const [r] = await rows<{ b: string }>(`select coalesce(sum(case when e.entry_type = 'DEBIT' then e.amount else -e.amount end), 0)::text as b
        from journal_entry e join gl_account a on a.id = e.gl_account_id where e.loan_id = ? and a.code = '1210'`, [loanId]);
      return new Decimal(r.b).toFixed();
    };
    // The book's loan closed by the previous test was settled outside the ledger, so check the trial balance
    // and this loan's portfolio rather than expectLedgerConsistent.
    const consistent = async () => {
      const tb = await ok(app, `query { trialBalance { totalDebits totalCredits } }`, {}, app.token);
      expect(new Decimal(tb.totalDebits).eq(tb.totalCredits)).toBe(true);
      const [p] = await rows<{ book: string; owed: string }>(`
        select (select coalesce(sum(case when e.entry_type = 'DEBIT' then e.amount else -e.amount end), 0) from journal_entry e
                  join gl_account a on a.id = e.gl_account_id where e.loan_id = ?::uuid and a.code = '1100')::text as book,
               (select sum(principal_due - principal_paid) from loan_installment where loan_id = ?::uuid)::text as owed`, [loanId, loanId]);
      expect(new Decimal(p.book).eq(p.owed)).toBe(true);
    };

    // The COB of 03-14 closes "as of" 03-15, the first due date: the installment's fee is booked then, not before.
    await cob(ADVANCE, { to: '2027-03-14', cob: true });
    expect(await feeAccrued()).toEqual(['0', '0', '0']);
    await cob(ADVANCE, { to: '2027-03-15', cob: true });
    expect(await feeAccrued()).toEqual(['2.5', '0', '0']);
    const [accrual] = await rows<{ id: string; amount: string; fee_portion: string }>(`select id::text, amount::text, fee_portion::text from loan_transaction
      where loan_id = ? and type = 'ACCRUAL' and request_id = 'cob-fee-accrual-2027-03-14'`, [loanId]);
    expect(new Decimal(accrual.fee_portion).toFixed()).toBe('2.5');
    expect(await lines(accrual.id)).toEqual([['1210', 'DEBIT', '2.5'], ['4100', 'CREDIT', '2.5']]);
    await consistent();

    // Overdue since 03-16 (no grace): the fee falls due on 03-16 and again on 03-18, booked receivable when charged.
    await cob(ADVANCE, { to: '2027-03-18', cob: true });
    const overdue = (await ok(app, CHARGES, { id: loanId }, app.token)).charges.filter((c: any) => c.chargeTimeType === 'OVERDUE_INSTALLMENT' && c.installmentNumber != null);
    expect(overdue.map((c: any) => [c.penalty, c.amount, c.dueDate, c.installmentNumber])).toEqual([[false, '4', '2027-03-16', 1], [false, '4', '2027-03-18', 1]]);
    const applied = await rows<{ id: string; type: string; transaction_date: string }>(`select id::text, type, transaction_date::text from loan_transaction
      where loan_id = ? and request_id like 'cob-charge-%' order by transaction_date`, [loanId]);
    expect(applied.map((t) => [t.type, t.transaction_date])).toEqual([['CHARGE', '2027-03-15'], ['CHARGE', '2027-03-17']]);
    expect(await lines(applied[0].id)).toEqual([['1210', 'DEBIT', '4'], ['4100', 'CREDIT', '4']]);
    expect(await feeAccrued()).toEqual(['10.5', '0', '0']);
    expect((await ok(app, FEES, { id: loanId }, app.token)).installments[0].feeChargesDue).toBe('10.5');
    expect(await receivable()).toBe('10.5');
    const [message] = await rows<{ payload: any }>(`select payload from outbox_event where type = 'BulkBusinessEvent' and aggregate_id = ? and business_date = '2027-03-17'`, [loanId]);
    expect(message.payload.items.map((i: any) => i.type)).toEqual(['LoanChargeAdded', 'CobLoanProcessed']);
    expect(message.payload.items[0].data).toMatchObject({ loanId, penalty: false, amount: '4', dueDate: '2027-03-18', installmentNumber: 1, chargeId: lateFee.id });
    await consistent();

    // Paying what is overdue settles the fees receivable first: nothing of them is income twice.
    const { overdueAmount } = await ok(app, FEES, { id: loanId }, app.token);
    const paid = await ok(app, `mutation($l: ID!, $a: Decimal!, $k: String!) { recordRepayment(loanId: $l, amount: $a, idempotencyKey: $k) { id feePortion } }`,
      { l: loanId, a: overdueAmount, k: 'fees-overdue' }, staff.officer.token);
    expect(paid.feePortion).toBe('10.5');
    expect((await lines(paid.id)).filter(([code]) => code === '1210' || code === '4100')).toEqual([['1210', 'CREDIT', '10.5']]);
    expect(await receivable()).toBe('0');
    const [income] = await rows<{ c: string }>(`select sum(e.amount)::text as c from journal_entry e join gl_account a on a.id = e.gl_account_id
      where e.loan_id = ? and a.code = '4100' and e.entry_type = 'CREDIT'`, [loanId]);
    expect(new Decimal(income.c).toFixed()).toBe('10.5');
    await consistent();
  });
});
