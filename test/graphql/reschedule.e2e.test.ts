/**
 * Reschedule requests end to end through GraphQL with the real worker: a LOAN_OFFICER submits new
 * terms, a different MANAGER approves (the loan workflow's servicing Update regenerates the unpaid
 * installments with the engine: paid ones untouched, principal outstanding unchanged) or rejects;
 * roles, four-eyes, bad input changing nothing, one pending request per loan.
 */
import { addDays, addMonths, daysBetween } from '../../src/domain/dates';
import { Decimal } from '../../src/domain/money';
import { buildSchedule } from '../../src/domain/schedule';
import { currentBusinessDate } from '../../src/services/business-date.service';
import { sql } from '../../src/services/sql';
import { startTestApp, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import { activeLoan, createStaff, ok, type Staff, expectLedgerConsistent } from './lifecycle';
import { apply, borrower } from './origination.fixtures';

let app: TestApp;
let staff: Staff;
let productId: string;
let today: string;

const REQ = 'id loanId status annualInterestRate numberOfRepayments nextDueDate reason submittedBy decidedBy decidedAt rejectionReason fromInstallment transactionId replacedInstallments { installmentNumber dueDate principalDue interestDue }';
const SUBMIT = `mutation($l: ID!, $i: RescheduleInput!) { submitRescheduleRequest(loanId: $l, input: $i) { ${REQ} } }`;
const APPROVE = `mutation($id: ID!) { approveRescheduleRequest(id: $id) { ${REQ} } }`;
const REJECT = `mutation($id: ID!, $r: String!) { rejectRescheduleRequest(id: $id, reason: $r) { ${REQ} } }`;
const REPAY = `mutation($l: ID!, $a: Decimal!, $k: String!) { recordRepayment(loanId: $l, amount: $a, idempotencyKey: $k) { id principalPortion interestPortion } }`;
const LOAN = `query($id: ID!) { loan(id: $id) { annualInterestRate numberOfRepayments
  balances { principalOutstanding }
  installments { installmentNumber fromDate dueDate principalDue interestDue principalPaid interestPaid completed }
  transactions { type amount requestId } timeline { action actor reason } } }`;

async function loan(id: string): Promise<any> {
  return ok(app, LOAN, { id }, app.token);
}

async function errorOf(query: string, vars: Record<string, unknown>, token: string): Promise<{ code?: string; field?: unknown }> {
  const res = await app.gql(query, vars, token);
  return { code: res.errors?.[0]?.extensions?.code, field: res.errors?.[0]?.extensions?.field };
}

async function rows<T = any>(query: string, params: unknown[] = []): Promise<T[]> {
  return sql<T>(app.orm.em.fork(), query, params);
}

const sum = (list: any[], key: string) => list.reduce((a, i) => a.plus(i[key]), new Decimal(0));

beforeAll(async () => {
  app = await startTestApp();
  staff = await createStaff(app);
  productId = await createProduct(app, { maxPrincipal: '100000.00' });
  today = await currentBusinessDate(app.orm.em.fork());
});

afterAll(async () => {
  await app?.close();
});

describe('reschedule requests', () => {
  let loanId: string;
  let borrowerToken: string;
  let requestId: string;
  let before: any;
  let nextDueDate: string;

  beforeAll(async () => {
    ({ loanId, borrowerToken } = await activeLoan(app, staff, productId, { principal: '1200.00', rate: '12', repayments: 12, disbursementDate: today }));
    const l = await loan(loanId);
    const first = l.installments[0];
    await ok(app, REPAY, { l: loanId, a: new Decimal(first.principalDue).plus(first.interestDue).toFixed(), k: `inst1-${loanId}` }, staff.officer.token);
    before = await loan(loanId);
    expect(before.installments[0].completed).toBe(true);
    // The first rescheduled installment falls due 45 days after installment 1 (instead of a month).
    nextDueDate = addDays(before.installments[0].dueDate, 45);
  });

  it('refuses bad submissions with typed errors and records nothing', async () => {
    const good = { annualInterestRate: '6', numberOfRepayments: 6, nextDueDate, reason: 'Income dropped; lower rate, shorter term' };
    const cases: [Record<string, unknown>, string, string, string?][] = [
      [{ reason: 'nothing changes' }, staff.officer.token, 'BAD_USER_INPUT', 'annualInterestRate'],
      [{ ...good, annualInterestRate: '50' }, staff.officer.token, 'BAD_USER_INPUT', 'annualInterestRate'],
      [{ ...good, numberOfRepayments: 0 }, staff.officer.token, 'BAD_USER_INPUT', 'numberOfRepayments'],
      [{ ...good, numberOfRepayments: 61 }, staff.officer.token, 'BAD_USER_INPUT', 'numberOfRepayments'],
      [{ ...good, nextDueDate: today }, staff.officer.token, 'BAD_USER_INPUT', 'nextDueDate'],
      [{ ...good, reason: '  ' }, staff.officer.token, 'BAD_USER_INPUT', 'reason'],
      [good, staff.manager.token, 'FORBIDDEN'],
      [good, borrowerToken, 'FORBIDDEN'],
    ];
    for (const [input, token, code, field] of cases) {
      expect({ input, ...(await errorOf(SUBMIT, { l: loanId, i: input }, token)) }).toEqual({ input, code, field });
    }
    expect(await errorOf(SUBMIT, { l: '00000000-0000-4000-8000-000000000000', i: good }, staff.officer.token)).toEqual({ code: 'NOT_FOUND', field: 'loanId' });
    const b = await borrower(app);
    const pending = await apply(app, b, productId);
    expect((await errorOf(SUBMIT, { l: pending, i: good }, staff.officer.token)).code).toBe('INVALID_STAGE');
    expect(await rows(`select 1 from loan_reschedule_request where loan_id in (?, ?)`, [loanId, pending])).toHaveLength(0);
    expect(await loan(loanId)).toEqual(before);
  });

  it('a LOAN_OFFICER submits; one pending request per loan', async () => {
    const req = await ok(app, SUBMIT, { l: loanId, i: { annualInterestRate: '6', numberOfRepayments: 6, nextDueDate, reason: 'Income dropped' } }, staff.officer.token);
    expect(req).toMatchObject({ loanId, status: 'PENDING', annualInterestRate: '6', numberOfRepayments: 6, nextDueDate, submittedBy: staff.officer.id, decidedBy: null, fromInstallment: null, transactionId: null });
    requestId = req.id;
    expect(await errorOf(SUBMIT, { l: loanId, i: { numberOfRepayments: 3, reason: 'again' } }, staff.officer2.token)).toEqual({ code: 'CONFLICT', field: 'loanId' });
    const queue = await ok(app, `query($l: ID) { rescheduleRequests(loanId: $l, status: PENDING) { id } }`, { l: loanId }, staff.manager.token);
    expect(queue).toEqual([{ id: requestId }]);
    expect((await errorOf(`query($l: ID) { rescheduleRequests(loanId: $l) { id } }`, { l: loanId }, borrowerToken)).code).toBe('FORBIDDEN');
    // Submitting changes no installment.
    expect((await loan(loanId)).installments).toEqual(before.installments);
  });

  it('a MANAGER approves: the unpaid installments are regenerated by the engine, paid ones untouched, principal unchanged', async () => {
    expect((await errorOf(APPROVE, { id: requestId }, staff.officer2.token)).code).toBe('FORBIDDEN');
    const journalBefore = (await rows<{ n: number }>(`select count(*)::int as n from journal_entry where loan_id = ?`, [loanId]))[0].n;
    const outstanding = sum(before.installments.slice(1), 'principalDue');
    expect(outstanding.eq(new Decimal(before.balances.principalOutstanding))).toBe(true);

    const approved = await ok(app, APPROVE, { id: requestId }, staff.manager.token);
    expect(approved).toMatchObject({ status: 'APPROVED', decidedBy: staff.manager.id, fromInstallment: 2, transactionId: expect.any(String) });
    expect(approved.replacedInstallments).toHaveLength(11);
    expect(approved.replacedInstallments[0]).toEqual({ installmentNumber: 2, dueDate: before.installments[1].dueDate, principalDue: before.installments[1].principalDue, interestDue: before.installments[1].interestDue });

    const after = await loan(loanId);
    expect(after.installments[0]).toEqual(before.installments[0]);
    expect(after.installments).toHaveLength(7);
    expect({ rate: after.annualInterestRate, n: after.numberOfRepayments, principal: after.balances.principalOutstanding })
      .toEqual({ rate: '6', n: 7, principal: before.balances.principalOutstanding });
    // The sum invariant: the new installments' principal is exactly what was outstanding.
    expect(sum(after.installments.slice(1), 'principalDue').eq(outstanding)).toBe(true);

    // The engine's schedule for the outstanding principal at 6% over 6 months from installment 1's due date.
    const start = before.installments[0].dueDate;
    const expected = buildSchedule({
      principal: outstanding.toFixed(2), annualNominalInterestRate: '6', numberOfRepayments: 6, repaymentEvery: 1, repaymentFrequencyType: 'MONTHS',
      amortizationType: 'EQUAL_INSTALLMENTS', interestType: 'DECLINING_BALANCE', interestCalculationPeriodType: 'DAILY', daysInYearType: 'ACTUAL',
      daysInMonthType: 'ACTUAL', expectedDisbursementDate: start, repaymentsStartingFromDate: nextDueDate, currencyCode: 'USD', digitsAfterDecimal: 2,
    });
    expect(after.installments.slice(1).map((i: any) => [i.installmentNumber, i.fromDate, i.dueDate, i.principalDue, i.interestDue, i.principalPaid, i.completed]))
      .toEqual(expected.periods.map((p, n) => [n + 2, p.fromDate, p.dueDate, p.principalDue.toFixed(), p.interestDue.toFixed(), '0', false]));
    // Worked by hand: the first new period is 45 days long, but as at origination (Fineract's rule for a long
    // first period) its interest runs from one month before its due date: 6% a year, actual/365.
    expect(daysBetween(start, nextDueDate)).toBe(45);
    const days = daysBetween(addMonths(nextDueDate, -1), nextDueDate);
    expect(after.installments[1].fromDate).toBe(start);
    expect(after.installments[1].interestDue).toBe(outstanding.times('0.06').times(days).div(365).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed());
    expect(after.installments.slice(1).map((i: any) => i.dueDate)).toEqual([0, 1, 2, 3, 4, 5].map((m) => addMonths(nextDueDate, m)));

    // Auditable: a RESCHEDULE transaction (no journal lines: no money moved) and timeline rows.
    expect(after.transactions.filter((t: any) => t.type === 'RESCHEDULE')).toEqual([{ type: 'RESCHEDULE', amount: outstanding.toFixed(), requestId: `reschedule-${requestId}` }]);
    expect((await rows<{ n: number }>(`select count(*)::int as n from journal_entry where loan_id = ?`, [loanId]))[0].n).toBe(journalBefore);
    expect(after.timeline.filter((t: any) => t.action.startsWith('RESCHEDULE'))).toEqual([
      { action: 'RESCHEDULE_REQUESTED', actor: staff.officer.id, reason: 'Income dropped' },
      { action: 'RESCHEDULE_APPROVED', actor: staff.manager.id, reason: 'Income dropped' },
    ]);
    await expectLedgerConsistent(app);

    // Repeating the approval changes nothing; rejecting it now is a CONFLICT.
    expect((await ok(app, APPROVE, { id: requestId }, staff.manager.token)).transactionId).toBe(approved.transactionId);
    expect((await errorOf(REJECT, { id: requestId, r: 'changed my mind' }, staff.manager.token)).code).toBe('CONFLICT');
    expect(await loan(loanId)).toEqual(after);

    // A repayment of the new installment 2 settles exactly it.
    const inst2 = after.installments[1];
    const paid = await ok(app, REPAY, { l: loanId, a: new Decimal(inst2.principalDue).plus(inst2.interestDue).toFixed(), k: `inst2-${loanId}` }, staff.officer.token);
    expect({ principal: paid.principalPortion, interest: paid.interestPortion }).toEqual({ principal: inst2.principalDue, interest: inst2.interestDue });
    expect((await loan(loanId)).installments.map((i: any) => i.completed)).toEqual([true, true, false, false, false, false, false]);
    await expectLedgerConsistent(app);
  });

  it('four-eyes: the submitter may not decide; a rejection keeps the schedule and frees the loan for a new request', async () => {
    const dual = await app.staff(['LOAN_OFFICER', 'MANAGER']);
    const { loanId: id } = await activeLoan(app, staff, productId, { principal: '900.00', rate: '18', repayments: 6, disbursementDate: today });
    const original = await loan(id);
    const req = await ok(app, SUBMIT, { l: id, i: { numberOfRepayments: 12, reason: 'Longer term' } }, dual.token);
    expect((await errorOf(APPROVE, { id: req.id }, dual.token)).code).toBe('FORBIDDEN');
    expect((await errorOf(REJECT, { id: req.id, r: 'no' }, dual.token)).code).toBe('FORBIDDEN');
    expect(await errorOf(REJECT, { id: req.id, r: '' }, staff.manager.token)).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });

    const rejected = await ok(app, REJECT, { id: req.id, r: 'Affordability not shown' }, staff.manager.token);
    expect(rejected).toMatchObject({ status: 'REJECTED', decidedBy: staff.manager.id, rejectionReason: 'Affordability not shown', transactionId: null });
    expect((await errorOf(APPROVE, { id: req.id }, staff.manager.token)).code).toBe('CONFLICT');
    const unchanged = await loan(id);
    expect(unchanged.installments).toEqual(original.installments);
    expect(unchanged.transactions.some((t: any) => t.type === 'RESCHEDULE')).toBe(false);
    expect(unchanged.timeline.filter((t: any) => t.action === 'RESCHEDULE_REJECTED')).toEqual([{ action: 'RESCHEDULE_REJECTED', actor: staff.manager.id, reason: 'Affordability not shown' }]);

    // Nothing paid yet: the whole schedule is re-amortized over 12 months at the same rate, from disbursement.
    const again = await ok(app, SUBMIT, { l: id, i: { numberOfRepayments: 12, reason: 'Longer term, with payslips' } }, staff.officer.token);
    expect((await ok(app, APPROVE, { id: again.id }, dual.token)).fromInstallment).toBe(1);
    const after = await loan(id);
    expect(after.installments).toHaveLength(12);
    expect(sum(after.installments, 'principalDue').toFixed(2)).toBe('900.00');
    const expected = buildSchedule({
      principal: '900.00', annualNominalInterestRate: '18', numberOfRepayments: 12, repaymentEvery: 1, repaymentFrequencyType: 'MONTHS',
      amortizationType: 'EQUAL_INSTALLMENTS', interestType: 'DECLINING_BALANCE', interestCalculationPeriodType: 'DAILY', daysInYearType: 'ACTUAL',
      daysInMonthType: 'ACTUAL', expectedDisbursementDate: today, repaymentsStartingFromDate: original.installments[0].dueDate, currencyCode: 'USD', digitsAfterDecimal: 2,
    });
    expect(after.installments.map((i: any) => [i.dueDate, i.principalDue, i.interestDue])).toEqual(expected.periods.map((p) => [p.dueDate, p.principalDue.toFixed(), p.interestDue.toFixed()]));
    // Longer term at the same rate: more interest in total than the original 6 installments.
    expect(sum(after.installments, 'interestDue').gt(sum(original.installments, 'interestDue'))).toBe(true);

    // A partly paid installment cannot be rescheduled: CONFLICT at submission, nothing recorded.
    await ok(app, REPAY, { l: id, a: '10.00', k: `partial-${id}` }, staff.officer.token);
    expect((await errorOf(SUBMIT, { l: id, i: { annualInterestRate: '9', reason: 'rate cut' } }, staff.officer.token)).code).toBe('CONFLICT');
    expect(await rows(`select 1 from loan_reschedule_request where loan_id = ? and status = 'PENDING'`, [id])).toHaveLength(0);
    await expectLedgerConsistent(app);
  });
});
