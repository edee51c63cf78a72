/**
 * The staff pipeline dashboard on its own database (its figures are book-wide): loans in several
 * stages, a repayment, a loan overdue after close of business through Temporal, and the exact figures
 * the query answers; stage durations checked against the timeline; roles and bad input.
 */
import { addDays } from '../../src/domain/dates';
import { Decimal } from '../../src/domain/money';
import { dropDatabase, openDatabase } from '../../src/database';
import { sql } from '../../src/services/sql';
import { startTestApp, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import { activeLoan, createStaff, ok, type Staff } from './lifecycle';
import { ALL_CHECKS, apply, borrower, M } from './origination.fixtures';

let app: TestApp;
let staff: Staff;
let productId: string;
let databaseUrl: string;
// Dates of its own: COB workflow ids are per date (cob-<date>), and cob.e2e closes January 2027 on the same Temporal.
const START = '2027-07-01';
const FIRST_DUE = '2027-08-01';
const TODAY = '2027-08-15';

const DASHBOARD = `query($c: String!, $from: LocalDate, $to: LocalDate) { pipelineDashboard(currencyCode: $c, from: $from, to: $to) {
  currencyCode from to businessDate
  stages { stage loans principal }
  stageDurations { stage stays medianSeconds p90Seconds }
  approvalsWaiting { level loans principal }
  daily { date disbursed disbursements collected collections }
  activeLoans outstandingPrincipal
  portfolioAtRisk { daysPastDue loans outstandingPrincipal ratio }
  arrears { classification minimumAgeDays maximumAgeDays loans outstandingPrincipal overdueAmount }
} }`;
const ADVANCE = `mutation($to: LocalDate, $cob: Boolean) { advanceBusinessDate(to: $to, runCob: $cob) { businessDate cob { workflowId } } }`;
const LOAN = `query($id: ID!) { loan(id: $id) { principal daysPastDue overdueAmount installments { installmentNumber principalDue interestDue } } }`;

const loans: Record<'applied' | 'approval' | 'paying' | 'overdue', string> = { applied: '', approval: '', paying: '', overdue: '' };

async function advance(to: string, cob: boolean): Promise<void> {
  const r = await ok(app, ADVANCE, { to, cob }, staff.admin.token);
  if (r.cob?.workflowId) await app.temporal.client.workflow.getHandle(r.cob.workflowId).result();
}

/** Percentile with linear interpolation between closest ranks (PostgreSQL's percentile_cont). */
function percentile(sorted: number[], p: number): number {
  const x = p * (sorted.length - 1);
  const lo = Math.floor(x);
  return lo + 1 < sorted.length ? sorted[lo] + (x - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

beforeAll(async () => {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_dashboard`;
  databaseUrl = url.toString();
  await (await openDatabase(databaseUrl, { migrate: true })).close();
  app = await startTestApp({ configure: (c) => { c.databaseUrl = databaseUrl; } });
  staff = await createStaff(app);
  productId = await createProduct(app, { maxPrincipal: '100000.00' });
  await advance(START, false);
  // REPAYMENT: two active loans disbursed on START (6 monthly installments, the first due FIRST_DUE).
  loans.paying = (await activeLoan(app, staff, productId, { principal: '1200.00', rate: '12', repayments: 6, disbursementDate: START })).loanId;
  loans.overdue = (await activeLoan(app, staff, productId, { principal: '2400.00', rate: '24', repayments: 6, disbursementDate: START })).loanId;
  // APPLICATION: applied, not submitted. APPROVAL: offer accepted, waiting for the INTERNAL level.
  loans.applied = await apply(app, await borrower(app), productId);
  const b = await borrower(app);
  loans.approval = await apply(app, b, productId);
  await ok(app, M.submit, { loanId: loans.approval }, b.token);
  await ok(app, M.assign, { loanId: loans.approval, reviewerId: staff.kyc.id }, staff.manager.token);
  await ok(app, M.checklist, { loanId: loans.approval, items: ALL_CHECKS }, staff.kyc.token);
  await ok(app, M.decideKyc, { loanId: loans.approval, approve: true }, staff.manager.token);
  await ok(app, M.offer, { loanId: loans.approval, principal: '6000.00', rate: '12', n: 12 }, staff.officer.token);
  const accepted = await ok(app, M.accept, { loanId: loans.approval, offerNumber: 1 }, b.token);
  expect(accepted.stage).toBe('APPROVAL');
  // The first installment of one loan is paid on its due date; the other loan's is not. COB closes every date to TODAY - 1.
  await advance(FIRST_DUE, true);
  const first = (await ok(app, LOAN, { id: loans.paying }, app.token)).installments[0];
  await ok(app, `mutation($l: ID!, $a: Decimal!, $k: String!) { recordRepayment(loanId: $l, amount: $a, idempotencyKey: $k) { id } }`,
    { l: loans.paying, a: new Decimal(first.principalDue).plus(first.interestDue).toFixed(2), k: 'dashboard-repay-1' }, staff.officer.token);
  await advance(TODAY, true);
}, 180000);

afterAll(async () => {
  await app?.close();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

describe('pipelineDashboard', () => {
  it('answers counts by stage, approvals waiting, money per day, PAR and arrears with exact figures', async () => {
    const [paying, overdue, applied, approval] = await Promise.all(
      [loans.paying, loans.overdue, loans.applied, loans.approval].map((id) => ok(app, LOAN, { id }, app.token)),
    );
    const repaid = new Decimal(paying.installments[0].principalDue).plus(paying.installments[0].interestDue);
    const d = await ok(app, DASHBOARD, { c: 'USD', from: START, to: TODAY }, staff.officer.token);
    expect({ from: d.from, to: d.to, businessDate: d.businessDate, currencyCode: d.currencyCode }).toEqual({ from: START, to: TODAY, businessDate: TODAY, currencyCode: 'USD' });

    const byStage = Object.fromEntries(d.stages.map((s: any) => [s.stage, s]));
    expect(d.stages).toHaveLength(13);
    expect(byStage.APPLICATION).toEqual({ stage: 'APPLICATION', loans: 1, principal: new Decimal(applied.principal).toFixed() });
    expect(byStage.APPROVAL).toEqual({ stage: 'APPROVAL', loans: 1, principal: new Decimal(approval.principal).toFixed() });
    expect(byStage.REPAYMENT).toEqual({ stage: 'REPAYMENT', loans: 2, principal: '3600' });
    expect(d.stages.filter((s: any) => !['APPLICATION', 'APPROVAL', 'REPAYMENT'].includes(s.stage)).every((s: any) => s.loans === 0 && s.principal === '0')).toBe(true);

    expect(d.approvalsWaiting).toEqual([
      { level: 'INTERNAL', loans: 1, principal: new Decimal(approval.principal).toFixed() },
      { level: 'MANAGEMENT', loans: 0, principal: '0' },
      { level: 'CREDIT_COMMITTEE', loans: 0, principal: '0' },
    ]);

    // Every date of the window, money only on the disbursement date and the repayment date.
    expect(d.daily).toHaveLength(46);
    expect(d.daily[0].date).toBe(START);
    expect(d.daily[45].date).toBe(TODAY);
    const moved = d.daily.filter((x: any) => x.disbursements + x.collections > 0);
    expect(moved).toEqual([
      { date: START, disbursed: '3600', disbursements: 2, collected: '0', collections: 0 },
      { date: FIRST_DUE, disbursed: '0', disbursements: 0, collected: repaid.toFixed(), collections: 1 },
    ]);

    // Outstanding principal: both principals less the first installment's principal of the paying loan.
    const outstanding = new Decimal(3600).minus(paying.installments[0].principalDue);
    expect(d.activeLoans).toBe(2);
    expect(d.outstandingPrincipal).toBe(outstanding.toFixed());
    // The unpaid loan is TODAY - FIRST_DUE = 14 days past due (COB wrote it): in PAR 1, not in PAR 30.
    expect(overdue.daysPastDue).toBe(14);
    const par1 = new Decimal(2400).div(outstanding).toDecimalPlaces(6);
    expect(d.portfolioAtRisk).toEqual([
      { daysPastDue: 1, loans: 1, outstandingPrincipal: '2400', ratio: par1.toFixed() },
      { daysPastDue: 30, loans: 0, outstandingPrincipal: '0', ratio: '0' },
      { daysPastDue: 60, loans: 0, outstandingPrincipal: '0', ratio: '0' },
      { daysPastDue: 90, loans: 0, outstandingPrincipal: '0', ratio: '0' },
    ]);
    // Arrears: the overdue loan's first installment (principal + interest, the product has no penalty).
    const owedFirst = new Decimal(overdue.installments[0].principalDue).plus(overdue.installments[0].interestDue);
    expect(new Decimal(overdue.overdueAmount).eq(owedFirst)).toBe(true);
    expect(d.arrears).toEqual([
      { classification: 'RANGE_1_30', minimumAgeDays: 1, maximumAgeDays: 30, loans: 1, outstandingPrincipal: '2400', overdueAmount: owedFirst.toFixed() },
      { classification: 'RANGE_31_60', minimumAgeDays: 31, maximumAgeDays: 60, loans: 0, outstandingPrincipal: '0', overdueAmount: '0' },
      { classification: 'RANGE_61_90', minimumAgeDays: 61, maximumAgeDays: 90, loans: 0, outstandingPrincipal: '0', overdueAmount: '0' },
      { classification: 'RANGE_90_PLUS', minimumAgeDays: 91, maximumAgeDays: null, loans: 0, outstandingPrincipal: '0', overdueAmount: '0' },
    ]);

    // Another currency: nothing of the USD book shows.
    const eur = await ok(app, DASHBOARD, { c: 'EUR', from: START, to: TODAY }, staff.officer.token);
    expect({ loans: eur.stages.reduce((a: number, s: any) => a + s.loans, 0), outstanding: eur.outstandingPrincipal, par1: eur.portfolioAtRisk[0].ratio }).toEqual({ loans: 0, outstanding: '0', par1: '0' });
  });

  it('gives time per stage (median, p90) over the stays that ended in the window, as the timeline says', async () => {
    // Stage changes happen on the wall clock (the timeline), so this window is the UTC days of the test run.
    const [{ today }] = await sql<{ today: string }>(app.orm.em.fork(), `select (now() at time zone 'UTC')::date::text as today`);
    const d = await ok(app, DASHBOARD, { c: 'USD', from: addDays(today, -1), to: addDays(today, 1) }, staff.kyc.token);
    const events = await sql<{ loan_id: string; from_stage: string | null; to_stage: string; at: string }>(app.orm.em.fork(), `
      select loan_id::text, from_stage, to_stage, extract(epoch from occurred_at)::text as at from loan_event order by loan_id, occurred_at, id`);
    const stays = new Map<string, number[]>();
    let entered: { loan: string; at: number } | null = null;
    for (const e of events) {
      if (e.from_stage === e.to_stage) continue;
      if (entered && entered.loan === e.loan_id && e.from_stage) stays.set(e.from_stage, [...(stays.get(e.from_stage) ?? []), Number(e.at) - entered.at]);
      entered = { loan: e.loan_id, at: Number(e.at) };
    }
    // Three loans left APPLICATION (the fourth was never submitted); the two active ones left every stage up to ACTIVATION.
    expect(stays.get('APPLICATION')).toHaveLength(3);
    expect(stays.get('ACTIVATION')).toHaveLength(2);
    expect(d.stageDurations.map((s: any) => s.stage)).toEqual(['APPLICATION', 'KYC_REVIEW', 'RISK_ASSESSMENT', 'DISCUSSION', 'APPROVAL', 'AGREEMENT', 'ACTIVATION'].filter((s) => stays.has(s)));
    for (const s of d.stageDurations) {
      const sorted = [...stays.get(s.stage)!].sort((a, b) => a - b);
      expect(s.stays).toBe(sorted.length);
      expect(s.medianSeconds).toBeCloseTo(percentile(sorted, 0.5), 5);
      expect(s.p90Seconds).toBeCloseTo(percentile(sorted, 0.9), 5);
      expect(s.p90Seconds).toBeGreaterThanOrEqual(s.medianSeconds);
    }
    // A window with no transitions has no durations.
    const empty = await ok(app, DASHBOARD, { c: 'USD', from: '2030-01-01', to: '2030-01-31' }, staff.kyc.token);
    expect(empty.stageDurations).toEqual([]);
  });

  it('is for staff only and rejects a bad window or currency', async () => {
    for (const role of ['KYC_OFFICER', 'RISK_MANAGER', 'MANAGER', 'CREDIT_COMMITTEE', 'ADMIN', 'LOAN_OFFICER']) {
      const res = await app.gql(DASHBOARD, { c: 'USD' }, await app.tokenFor([role]));
      expect([role, res.errors, res.data.pipelineDashboard.from]).toEqual([role, undefined, addDays(TODAY, -29)]);
    }
    const customer = await borrower(app);
    const forbidden = await app.gql(DASHBOARD, { c: 'USD' }, customer.token);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(forbidden.data).toBeNull();
    const anonymous = await app.gql(DASHBOARD, { c: 'USD' }, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    for (const [vars, field] of [
      [{ c: 'usd' }, 'currencyCode'],
      [{ c: 'USD', from: TODAY, to: START }, 'from'],
      [{ c: 'USD', from: '2025-01-01', to: TODAY }, 'from'],
    ] as const) {
      const res = await app.gql(DASHBOARD, vars, staff.officer.token);
      expect([vars, res.errors?.[0]?.extensions]).toEqual([vars, expect.objectContaining({ code: 'BAD_USER_INPUT', field })]);
    }
  });
});
