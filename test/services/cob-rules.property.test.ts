/**
 * One implementation of each money rule: close of business runs its steps as set-based SQL
 * (src/services/cob/steps.ts), servicing and tests use the Fineract-verified functions of src/domain.
 * This property test seeds random small books (loans, installments partly paid or waived, penalties
 * already charged, dates around the due dates) into a real PostgreSQL scratch database, runs the SQL
 * steps for a few consecutive business dates, and replays the same dates with the domain functions:
 * penalties (overduePenalties), accrual (accrualIncomeBy / accruedInterest), days past due and
 * delinquency class (daysPastDue / classifyDelinquency), overdue amount and next installment due must
 * agree to the cent after every date.
 */
import fc from 'fast-check';
import type { MikroORM } from '@mikro-orm/postgresql';
import { accrualIncomeBy, accruedInterest } from '../../src/domain/accrual';
import { addDays, compareDates, type LocalDate } from '../../src/domain/dates';
import { classifyDelinquency, daysPastDue, type DelinquencyRange } from '../../src/domain/delinquency';
import { outstanding, totalOutstanding, zeroComponents, type Installment } from '../../src/domain/installments';
import { Decimal } from '../../src/domain/money';
import { overduePenalties, type PenaltyCalculationType, type PenaltyRule } from '../../src/domain/penalties';
import { withScratchDatabase } from '../../src/database';
import { COB_STEPS, runSteps } from '../../src/services/cob';
import { sql } from '../../src/services/sql';

const BASE: LocalDate = '2027-03-01';
const STEPS = COB_STEPS.filter((s) => s !== 'CLOSE_FULLY_REPAID_LOANS');

interface InstallmentSpec {
  days: number;
  principal: number;
  interest: number;
  /** Fractions (0..1) of what is due that was paid or waived before the first date. */
  principalPaid: number;
  interestPaid: number;
  interestWaived: number;
  /** A penalty charged before the first date (if the installment was overdue enough by then). */
  penaltyCharged: boolean;
}

interface LoanSpec {
  /** Days before the first COB date that the loan was disbursed (its first installment starts). */
  disbursedBefore: number;
  installments: InstallmentSpec[];
}

interface Book {
  start: number;
  dates: number;
  /** The product's digitsAfterDecimal: the rounding of penalties and accruals. */
  digits: number;
  penalty: { type: PenaltyCalculationType; amount: number; graceDays: number };
  loans: LoanSpec[];
}

const fraction = fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true }));
const installmentArb: fc.Arbitrary<InstallmentSpec> = fc.record({
  days: fc.integer({ min: 1, max: 35 }),
  principal: fc.integer({ min: 1, max: 500_000 }),
  interest: fc.integer({ min: 0, max: 30_000 }),
  principalPaid: fraction,
  interestPaid: fraction,
  interestWaived: fc.oneof(fc.constant(0), fraction),
  penaltyCharged: fc.boolean(),
});
const bookArb: fc.Arbitrary<Book> = fc.record({
  start: fc.integer({ min: 0, max: 60 }),
  dates: fc.integer({ min: 1, max: 5 }),
  digits: fc.constantFrom(0, 2, 2, 3),
  penalty: fc.record({
    type: fc.constantFrom<PenaltyCalculationType>('FLAT', 'PERCENT_OF_OVERDUE_PRINCIPAL', 'PERCENT_OF_OVERDUE_PRINCIPAL_AND_INTEREST'),
    // Cents for FLAT, hundredths of a percent otherwise (0.00 .. 12.00 %); 0 included.
    amount: fc.integer({ min: 0, max: 1_200 }),
    graceDays: fc.integer({ min: 0, max: 10 }),
  }),
  loans: fc.array(fc.record({
    disbursedBefore: fc.integer({ min: 0, max: 90 }),
    installments: fc.array(installmentArb, { minLength: 1, maxLength: 4 }),
  }), { minLength: 1, maxLength: 4 }),
});

const cents = (n: number) => new Decimal(n).div(100);
const share = (amount: Decimal, f: number) => amount.times(f).toDecimalPlaces(2, Decimal.ROUND_DOWN);

/** The domain's view of one loan, advanced date by date alongside the SQL. */
interface ModelLoan {
  id: string;
  installments: Installment[];
  accrued: Decimal[];
  charged: Set<string>;
}

function penaltyRule(book: Book): PenaltyRule {
  const amount = book.penalty.type === 'FLAT' ? cents(book.penalty.amount) : new Decimal(book.penalty.amount).div(100);
  // The product's overdue penalty is charged once per installment (no repeat setting).
  return { calculationType: book.penalty.type, amount: amount.toFixed(), graceDays: book.penalty.graceDays, repeatEveryDays: null, digitsAfterDecimal: book.digits };
}

let orm: MikroORM;
let customerId: string;
let ranges: DelinquencyRange[];

async function seed(book: Book, first: LocalDate): Promise<ModelLoan[]> {
  const em = orm.em.fork();
  const rule = penaltyRule(book);
  const [product] = await sql<{ id: string }>(em, `
    insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type, accounting_rule, penalty_calculation_type, penalty_amount, penalty_grace_days)
    values (gen_random_uuid(), 'Property book ' || gen_random_uuid(), 'USD', ?, 1, 1000000, 0, 100, 1, 24, 1, 'MONTHS', 'ACCRUAL_PERIODIC', ?, ?, ?) returning id::text`,
  [book.digits, rule.calculationType, rule.amount, rule.graceDays]);
  const R = { digitsAfterDecimal: book.digits };
  const loans: ModelLoan[] = [];
  for (const spec of book.loans) {
    const disbursed = addDays(first, -spec.disbursedBefore);
    const [loan] = await sql<{ id: string }>(em, `
      insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every,
        repayment_frequency_type, status, stage, workflow_id, disbursed_on, last_cob_date)
      values (gen_random_uuid(), ?::uuid, ?::uuid, ?, 'USD', 12, ?, 1, 'MONTHS', 'ACTIVE', 'REPAYMENT', 'property', ?::date, ?::date) returning id::text`,
    [customerId, product.id, spec.installments.reduce((a, i) => a.plus(cents(i.principal)), new Decimal(0)).toFixed(), spec.installments.length, disbursed, addDays(first, -1)]);
    const model: ModelLoan = { id: loan.id, installments: [], accrued: [], charged: new Set() };
    let from = disbursed;
    for (const [n, s] of spec.installments.entries()) {
      const due = addDays(from, s.days);
      const inst: Installment = { period: n + 1, fromDate: from, dueDate: due, due: zeroComponents(), paid: zeroComponents(), waived: zeroComponents() };
      inst.due.principal = cents(s.principal);
      inst.due.interest = cents(s.interest);
      inst.paid.principal = share(inst.due.principal, s.principalPaid);
      inst.paid.interest = share(inst.due.interest, s.interestPaid);
      inst.waived.interest = share(inst.due.interest.minus(inst.paid.interest), s.interestWaived);
      // A penalty already charged by an earlier close of business (the day its grace ran out).
      const firstPenaltyDate = addDays(due, rule.graceDays + 1);
      const open = outstanding(inst, 'principal').plus(outstanding(inst, 'interest')).gt(0);
      let appliedOn: LocalDate | null = null;
      if (s.penaltyCharged && open && compareDates(firstPenaltyDate, first) <= 0) {
        inst.due.penalty = new Decimal('7.50');
        appliedOn = addDays(firstPenaltyDate, -1);
        model.charged.add(`${inst.period}@${firstPenaltyDate}`);
      }
      // Accrued through the day before the first date, as earlier runs would have booked it.
      const accrued = accrualIncomeBy(inst, first, R);
      model.installments.push(inst);
      model.accrued.push(accrued);
      await sql(em, `
        insert into loan_installment (loan_id, installment_number, from_date, due_date, principal_due, interest_due, fee_charges_due, penalty_charges_due,
          principal_paid, interest_paid, interest_waived, interest_accrued, penalty_applied_on, completed)
        values (?::uuid, ?, ?::date, ?::date, ?, ?, 0, ?, ?, ?, ?, ?, ?::date, ?)`,
      [loan.id, inst.period, inst.fromDate, inst.dueDate, inst.due.principal.toFixed(), inst.due.interest.toFixed(), inst.due.penalty.toFixed(),
        inst.paid.principal.toFixed(), inst.paid.interest.toFixed(), inst.waived.interest.toFixed(), accrued.toFixed(), appliedOn, totalOutstanding(inst).lte(0)]);
      from = due;
    }
    loans.push(model);
  }
  return loans;
}

/** The domain's close of business for date `d` (as of the next morning), in the order of the steps. */
function domainClose(loans: ModelLoan[], d: LocalDate, rule: PenaltyRule, R: { digitsAfterDecimal: number }): Map<string, { penalties: Map<number, Decimal>; accrual: Decimal }> {
  const asOf = addDays(d, 1);
  const out = new Map<string, { penalties: Map<number, Decimal>; accrual: Decimal }>();
  for (const loan of loans) {
    const penalties = new Map<number, Decimal>();
    for (const c of overduePenalties(loan.installments, asOf, rule, loan.charged)) {
      const inst = loan.installments.find((i) => i.period === c.period)!;
      inst.due.penalty = inst.due.penalty.plus(c.amount);
      loan.charged.add(`${c.period}@${c.dueDate}`);
      penalties.set(c.period, c.amount);
    }
    // Net of waivers: the interest income accrued over the day [d, d + 1).
    const net = loan.installments.map((i) => ({ ...i, due: { ...i.due, interest: i.due.interest.minus(i.waived.interest) } }));
    const accrual = accruedInterest(net, d, asOf, R);
    loan.installments.forEach((inst, k) => { loan.accrued[k] = Decimal.max(loan.accrued[k], accrualIncomeBy(inst, asOf, R)); });
    out.set(loan.id, { penalties, accrual });
  }
  return out;
}

/** Exact (no rounding): '1.50' and '1.5' compare equal, '1.234' and '1.23' do not. */
const money = (v: string | Decimal | null | undefined) => (v == null ? null : new Decimal(v).toFixed());

async function check(book: Book): Promise<void> {
  const first = addDays(BASE, book.start);
  const rule = penaltyRule(book);
  const loans = await seed(book, first);
  const ids = loans.map((l) => l.id);
  for (let k = 0; k < book.dates; k++) {
    const d = addDays(first, k);
    const asOf = addDays(d, 1);
    await orm.em.fork().transactional((tx) => runSteps(tx, d, ids, STEPS));
    const expected = domainClose(loans, d, rule, { digitsAfterDecimal: book.digits });
    const em = orm.em.fork();
    const installments = await sql<{ loan_id: string; installment_number: number; penalty_charges_due: string; interest_accrued: string }>(em, `
      select loan_id::text, installment_number, penalty_charges_due::text, interest_accrued::text from loan_installment
       where loan_id = any(?::uuid[])`, [ids]);
    const txs = await sql<{ loan_id: string; type: string; amount: string; installment_number: number | null }>(em, `
      select loan_id::text, type, amount::text, installment_number from loan_transaction
       where loan_id = any(?::uuid[]) and transaction_date = ?::date and type in ('PENALTY', 'ACCRUAL')`, [ids, d]);
    const rows = await sql<{ id: string; days_past_due: number; delinquency_class: string | null; overdue_amount: string; next_due_date: string | null; next_due_amount: string | null }>(em, `
      select id::text, days_past_due, delinquency_class, overdue_amount::text, next_due_date::text, next_due_amount::text from loan where id = any(?::uuid[])`, [ids]);
    for (const loan of loans) {
      const exp = expected.get(loan.id)!;
      const at = `${loan.id} on ${d}`;
      // Installments: penalties charged and interest accrued so far.
      const got = installments.filter((r) => r.loan_id === loan.id).sort((a, b) => a.installment_number - b.installment_number);
      expect({ at, inst: got.map((r) => [r.installment_number, money(r.penalty_charges_due), money(r.interest_accrued)]) })
        .toEqual({ at, inst: loan.installments.map((i, n) => [i.period, money(i.due.penalty), money(loan.accrued[n])]) });
      // The day's transactions: one PENALTY per installment charged, one ACCRUAL with the day's income.
      const mine = txs.filter((t) => t.loan_id === loan.id);
      expect({ at, penalties: mine.filter((t) => t.type === 'PENALTY').map((t) => [t.installment_number, money(t.amount)]).sort() })
        .toEqual({ at, penalties: [...exp.penalties].map(([n, a]) => [n, money(a)]).sort() });
      const accrual = mine.filter((t) => t.type === 'ACCRUAL');
      expect({ at, accrual: accrual.map((t) => money(t.amount)) }).toEqual({ at, accrual: exp.accrual.gt(0) ? [money(exp.accrual)] : [] });
      // The loan: delinquency, overdue amount, next installment due.
      const row = rows.find((r) => r.id === loan.id)!;
      const days = daysPastDue(loan.installments, asOf);
      const open = loan.installments.filter((i) => totalOutstanding(i).gt(0));
      const overdue = open.filter((i) => compareDates(i.dueDate, asOf) < 0).reduce((a, i) => a.plus(totalOutstanding(i)), new Decimal(0));
      const next = open.find((i) => compareDates(i.dueDate, asOf) >= 0);
      expect({ at, days: row.days_past_due, cls: row.delinquency_class, overdue: money(row.overdue_amount), nextDate: row.next_due_date, nextAmount: money(row.next_due_amount) })
        .toEqual({ at, days, cls: classifyDelinquency(days, ranges)?.classification ?? null, overdue: money(overdue), nextDate: next?.dueDate ?? null, nextAmount: next ? money(totalOutstanding(next)) : null });
    }
  }
}

let release: (() => void) | undefined;
let finished: Promise<void> | undefined;

beforeAll(async () => {
  // One scratch database for the file: withScratchDatabase migrates it, and drops it once `release` is called.
  await new Promise<void>((ready, failed) => {
    finished = withScratchDatabase(process.env.DATABASE_URL!, 'cob_rules', (o) => {
      orm = o;
      ready();
      return new Promise<void>((done) => { release = done; });
    });
    finished.catch(failed);
  });
  const em = orm.em.fork();
  [{ id: customerId }] = await sql<{ id: string }>(em, `
    insert into customer (id, first_name, last_name, email) values (gen_random_uuid(), 'Property', 'Borrower', 'property@example.com') returning id::text`);
  ranges = (await sql<{ classification: string; minimum_age_days: number; maximum_age_days: number | null }>(em,
    `select classification, minimum_age_days, maximum_age_days from delinquency_range order by minimum_age_days`))
    .map((r) => ({ classification: r.classification, minimumAgeDays: r.minimum_age_days, maximumAgeDays: r.maximum_age_days }));
});

afterAll(async () => {
  release?.();
  await finished;
});

it('the SQL steps of close of business and the domain functions agree to the cent on random books', async () => {
  expect(ranges.length).toBeGreaterThan(0);
  await fc.assert(fc.asyncProperty(bookArb, check), { numRuns: 40 });
});
