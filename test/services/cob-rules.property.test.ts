/**
 * One implementation of each money rule: close of business runs its steps as set-based SQL
 * (src/services/cob/steps.ts), servicing and tests use the Fineract-verified functions of src/domain.
 * This property test seeds random small books (loans carrying 0–3 OVERDUE_INSTALLMENT charges, penalty
 * or fee, FLAT or percent, grace days, charged once or every feeInterval days; installments partly paid
 * or waived, with schedule fees partly paid and accrued or not, overdue charges already applied, dates
 * around the due dates) into a real PostgreSQL scratch database, runs the SQL steps for a few
 * consecutive business dates, and replays the same dates with the domain functions: overdue charges
 * (overduePenalties with overdueChargeRule), interest accrual (accrualIncomeBy / accruedInterest), fee
 * accrual (feeAccrualBy), days past due and delinquency class (daysPastDue / classifyDelinquency),
 * overdue amount and next installment due must agree to the cent after every date, and so must the
 * day's receivable debits in the journal.
 */
import fc from 'fast-check';
import type { MikroORM } from '@mikro-orm/postgresql';
import { accrualIncomeBy, accruedInterest, feeAccrualBy } from '../../src/domain/accrual';
import { addDays, compareDates, type LocalDate } from '../../src/domain/dates';
import { classifyDelinquency, daysPastDue, type DelinquencyRange } from '../../src/domain/delinquency';
import { outstanding, totalOutstanding, zeroComponents, type Installment } from '../../src/domain/installments';
import { Decimal } from '../../src/domain/money';
import { overdueChargeRule, overduePenalties, type PenaltyRule } from '../../src/domain/penalties';
import type { ChargeCalculationType } from '../../src/domain/schedule';
import { COB_STEPS, runSteps } from '../../src/services/cob';
import { sql } from '../../src/services/sql';
import { fileScratchDatabase } from '../utils';

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
  /** Schedule fee (cents), the fraction of it paid, and of the rest waived, before the first date. */
  fee: number;
  feePaid: number;
  feeWaived: number;
  /** Whether earlier runs accrued the fee (else the first date catches it up, or a payment made it income). */
  feeAccruedBefore: boolean;
  /** The loan's first overdue charge applied before the first date (if the installment was overdue enough by then). */
  penaltyCharged: boolean;
}

interface OverdueChargeSpec {
  type: ChargeCalculationType;
  /** Cents for FLAT, hundredths of a percent otherwise (0.00 .. 12.00 %); 0 included. */
  amount: number;
  graceDays: number;
  feeInterval: number | null;
  penalty: boolean;
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
  /** The OVERDUE_INSTALLMENT charges every loan of the book carries (in its resolved terms). */
  charges: OverdueChargeSpec[];
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
  fee: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000 })),
  feePaid: fraction,
  feeWaived: fc.oneof(fc.constant(0), fraction),
  feeAccruedBefore: fc.boolean(),
  penaltyCharged: fc.boolean(),
});
const bookArb: fc.Arbitrary<Book> = fc.record({
  start: fc.integer({ min: 0, max: 60 }),
  dates: fc.integer({ min: 1, max: 5 }),
  digits: fc.constantFrom(0, 2, 2, 3),
  charges: fc.array(fc.record({
    type: fc.constantFrom<ChargeCalculationType>('FLAT', 'PERCENT_OF_AMOUNT', 'PERCENT_OF_AMOUNT_AND_INTEREST'),
    amount: fc.integer({ min: 0, max: 1_200 }),
    graceDays: fc.integer({ min: 0, max: 10 }),
    feeInterval: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 7 })),
    penalty: fc.boolean(),
  }), { minLength: 0, maxLength: 3 }),
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
  feeAccrued: Decimal[];
  /** Per overdue charge (1-based position in the loan's terms): `period@date` occurrences applied. */
  charged: Map<number, Set<string>>;
}

/** The charge terms a loan stores (chargeTerms in src/services/charge.service.ts). */
function chargeTerms(book: Book, c: OverdueChargeSpec, k: number, names: string[]) {
  const amount = c.type === 'FLAT' ? cents(c.amount) : new Decimal(c.amount).div(100);
  return { name: names[k], amount: amount.toFixed(), chargeTimeType: 'OVERDUE_INSTALLMENT', chargeCalculationType: c.type, penalty: c.penalty, graceDays: c.graceDays, feeInterval: c.feeInterval };
}

function rules(book: Book, names: string[]): PenaltyRule[] {
  return book.charges.map((c, k) => overdueChargeRule(chargeTerms(book, c, k, names), book.digits));
}

let orm: MikroORM;
let customerId: string;
let ranges: DelinquencyRange[];

/** The key close of business gives an application (loan_charge and loan_transaction request id). */
const chargeKey = (k: number, period: number, date: LocalDate) => `cob-charge-${k}-${period}-${date}`;

async function seed(book: Book, first: LocalDate): Promise<{ loans: ModelLoan[]; names: string[] }> {
  const em = orm.em.fork();
  const [product] = await sql<{ id: string }>(em, `
    insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type, accounting_rule)
    values (gen_random_uuid(), 'Property book ' || gen_random_uuid(), 'USD', ?, 1, 1000000, 0, 100, 1, 24, 1, 'MONTHS', 'ACCRUAL_PERIODIC') returning id::text`,
  [book.digits]);
  // The charge definitions exist (applications name them), but COB reads each loan's own terms.
  const names: string[] = [];
  for (const c of book.charges) {
    const [{ name }] = await sql<{ name: string }>(em, `
      insert into charge (id, name, charge_time_type, charge_calculation_type, penalty, amount, currency_code, grace_days, fee_interval)
      values (gen_random_uuid(), 'Overdue ' || gen_random_uuid(), 'OVERDUE_INSTALLMENT', ?, ?, ?, 'USD', ?, ?) returning name`,
    [c.type, c.penalty, c.type === 'FLAT' ? cents(c.amount).toFixed() : new Decimal(c.amount).div(100).toFixed(), c.graceDays, c.feeInterval]);
    names.push(name);
  }
  const terms = { charges: book.charges.map((c, k) => chargeTerms(book, c, k, names)) };
  const R = { digitsAfterDecimal: book.digits };
  const loans: ModelLoan[] = [];
  for (const spec of book.loans) {
    const disbursed = addDays(first, -spec.disbursedBefore);
    const [loan] = await sql<{ id: string }>(em, `
      insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every,
        repayment_frequency_type, status, stage, workflow_id, disbursed_on, last_cob_date, schedule_settings)
      values (gen_random_uuid(), ?::uuid, ?::uuid, ?, 'USD', 12, ?, 1, 'MONTHS', 'ACTIVE', 'REPAYMENT', 'property', ?::date, ?::date, ?::jsonb) returning id::text`,
    [customerId, product.id, spec.installments.reduce((a, i) => a.plus(cents(i.principal)), new Decimal(0)).toFixed(), spec.installments.length, disbursed,
      addDays(first, -1), JSON.stringify(terms)]);
    const model: ModelLoan = { id: loan.id, installments: [], accrued: [], feeAccrued: [], charged: new Map(book.charges.map((_, k) => [k + 1, new Set<string>()])) };
    let from = disbursed;
    for (const [n, s] of spec.installments.entries()) {
      const due = addDays(from, s.days);
      const inst: Installment = { period: n + 1, fromDate: from, dueDate: due, due: zeroComponents(), paid: zeroComponents(), waived: zeroComponents() };
      inst.due.principal = cents(s.principal);
      inst.due.interest = cents(s.interest);
      inst.due.fee = cents(s.fee);
      inst.paid.principal = share(inst.due.principal, s.principalPaid);
      inst.paid.interest = share(inst.due.interest, s.interestPaid);
      inst.waived.interest = share(inst.due.interest.minus(inst.paid.interest), s.interestWaived);
      inst.paid.fee = share(inst.due.fee, s.feePaid);
      inst.waived.fee = share(inst.due.fee.minus(inst.paid.fee), s.feeWaived);
      // Fees accrued by earlier runs (through the day before the first date), or not (a book from before fee accrual).
      let feeAccrued = new Decimal(0);
      if (s.feeAccruedBefore && feeAccrualBy(inst, feeAccrued, first).gt(0)) feeAccrued = inst.due.fee.minus(inst.waived.fee);
      // The first overdue charge already applied by an earlier close of business (its first occurrence).
      const open = outstanding(inst, 'principal').plus(outstanding(inst, 'interest')).gt(0);
      const pre = book.charges[0];
      const preDate = pre ? addDays(due, pre.graceDays + 1) : null;
      if (pre && preDate && s.penaltyCharged && open && compareDates(preDate, first) <= 0) {
        const amount = new Decimal('7.50');
        if (pre.penalty) inst.due.penalty = inst.due.penalty.plus(amount);
        else {
          inst.due.fee = inst.due.fee.plus(amount);
          feeAccrued = Decimal.max(feeAccrued, inst.paid.fee).plus(amount);
        }
        model.charged.get(1)!.add(`${inst.period}@${preDate}`);
        await sql(em, `
          insert into loan_charge (loan_id, name, charge_time_type, charge_calculation_type, penalty, amount_or_percentage, amount, due_date, installment_number, request_id, created_by)
          values (?::uuid, ?, 'OVERDUE_INSTALLMENT', ?, ?, 0, ?, ?::date, ?, ?, 'cob')`,
        [loan.id, names[0], pre.type, pre.penalty, amount.toFixed(), preDate, inst.period, chargeKey(1, inst.period, preDate)]);
      }
      // Interest accrued through the day before the first date, as earlier runs would have booked it.
      const accrued = accrualIncomeBy(inst, first, R);
      model.installments.push(inst);
      model.accrued.push(accrued);
      model.feeAccrued.push(feeAccrued);
      await sql(em, `
        insert into loan_installment (loan_id, installment_number, from_date, due_date, principal_due, interest_due, fee_charges_due, penalty_charges_due,
          principal_paid, interest_paid, interest_waived, interest_accrued, fee_paid, fee_waived, fee_accrued, completed)
        values (?::uuid, ?, ?::date, ?::date, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [loan.id, inst.period, inst.fromDate, inst.dueDate, inst.due.principal.toFixed(), inst.due.interest.toFixed(), inst.due.fee.toFixed(), inst.due.penalty.toFixed(),
        inst.paid.principal.toFixed(), inst.paid.interest.toFixed(), inst.waived.interest.toFixed(), accrued.toFixed(), inst.paid.fee.toFixed(), inst.waived.fee.toFixed(),
        feeAccrued.toFixed(), totalOutstanding(inst).lte(0)]);
      from = due;
    }
    loans.push(model);
  }
  return { loans, names };
}

interface DayExpected {
  /** Applications of overdue charges: request id → amount, and whether a penalty. */
  charges: Map<string, { amount: Decimal; penalty: boolean; period: number }>;
  interestAccrual: Decimal;
  feeAccrual: Decimal;
}

/** The domain's close of business for date `d` (as of the next morning), in the order of the steps. */
function domainClose(loans: ModelLoan[], d: LocalDate, book: Book, chargeRules: PenaltyRule[]): Map<string, DayExpected> {
  const asOf = addDays(d, 1);
  const R = { digitsAfterDecimal: book.digits };
  const out = new Map<string, DayExpected>();
  for (const loan of loans) {
    const charges = new Map<string, { amount: Decimal; penalty: boolean; period: number }>();
    // APPLY_PENALTY_FOR_OVERDUE_LOANS: every overdue charge the loan carries.
    chargeRules.forEach((rule, i) => {
      const k = i + 1;
      const penalty = book.charges[i].penalty;
      for (const c of overduePenalties(loan.installments, asOf, rule, loan.charged.get(k))) {
        const n = loan.installments.findIndex((x) => x.period === c.period);
        const inst = loan.installments[n];
        if (penalty) inst.due.penalty = inst.due.penalty.plus(c.amount);
        else {
          inst.due.fee = inst.due.fee.plus(c.amount);
          // Booked receivable when charged (accrual product): recognised at once.
          loan.feeAccrued[n] = Decimal.max(loan.feeAccrued[n], inst.paid.fee).plus(c.amount);
        }
        loan.charged.get(k)!.add(`${c.period}@${c.dueDate}`);
        charges.set(chargeKey(k, c.period, c.dueDate), { amount: c.amount, penalty, period: c.period });
      }
    });
    // ADD_PERIODIC_ACCRUAL_ENTRIES: fees of installments due by the next morning, then interest net of waivers.
    let feeAccrual = new Decimal(0);
    loan.installments.forEach((inst, n) => {
      const x = feeAccrualBy(inst, loan.feeAccrued[n], asOf);
      if (x.gt(0)) {
        feeAccrual = feeAccrual.plus(x);
        loan.feeAccrued[n] = inst.due.fee.minus(inst.waived.fee);
      }
    });
    const net = loan.installments.map((i) => ({ ...i, due: { ...i.due, interest: i.due.interest.minus(i.waived.interest) } }));
    const interestAccrual = accruedInterest(net, d, asOf, R);
    loan.installments.forEach((inst, k) => { loan.accrued[k] = Decimal.max(loan.accrued[k], accrualIncomeBy(inst, asOf, R)); });
    out.set(loan.id, { charges, interestAccrual, feeAccrual });
  }
  return out;
}

/** Exact (no rounding): '1.50' and '1.5' compare equal, '1.234' and '1.23' do not. */
const money = (v: string | number | Decimal | null | undefined) => (v == null ? null : new Decimal(v).toFixed());
const sum = (xs: Decimal[]) => xs.reduce((a, x) => a.plus(x), new Decimal(0));

async function check(book: Book): Promise<void> {
  const first = addDays(BASE, book.start);
  const { loans, names } = await seed(book, first);
  const chargeRules = rules(book, names);
  const ids = loans.map((l) => l.id);
  for (let k = 0; k < book.dates; k++) {
    const d = addDays(first, k);
    const asOf = addDays(d, 1);
    await orm.em.fork().transactional((tx) => runSteps(tx, d, ids, STEPS));
    const expected = domainClose(loans, d, book, chargeRules);
    const em = orm.em.fork();
    const installments = await sql<{ loan_id: string; installment_number: number; penalty_charges_due: string; fee_charges_due: string; interest_accrued: string; fee_accrued: string }>(em, `
      select loan_id::text, installment_number, penalty_charges_due::text, fee_charges_due::text, interest_accrued::text, fee_accrued::text from loan_installment
       where loan_id = any(?::uuid[])`, [ids]);
    const txs = await sql<{ loan_id: string; type: string; amount: string; installment_number: number | null; request_id: string; fee_portion: string; penalty_portion: string; interest_portion: string }>(em, `
      select loan_id::text, type, amount::text, installment_number, request_id, fee_portion::text, penalty_portion::text, interest_portion::text from loan_transaction
       where loan_id = any(?::uuid[]) and transaction_date = ?::date and type in ('PENALTY', 'CHARGE', 'ACCRUAL')`, [ids, d]);
    const loanCharges = await sql<{ loan_id: string; request_id: string; amount: string; penalty: boolean; installment_number: number; due_date: string; name: string }>(em, `
      select loan_id::text, request_id, amount::text, penalty, installment_number, due_date::text, name from loan_charge
       where loan_id = any(?::uuid[]) and created_by = 'cob'`, [ids]);
    const journal = await sql<{ loan_id: string; code: string; entry_type: string; amount: string }>(em, `
      select e.loan_id::text, a.code, e.entry_type, sum(e.amount)::text as amount from journal_entry e join gl_account a on a.id = e.gl_account_id
       where e.loan_id = any(?::uuid[]) and e.business_date = ?::date group by 1, 2, 3`, [ids, d]);
    const rows = await sql<{ id: string; days_past_due: number; delinquency_class: string | null; overdue_amount: string; next_due_date: string | null; next_due_amount: string | null }>(em, `
      select id::text, days_past_due, delinquency_class, overdue_amount::text, next_due_date::text, next_due_amount::text from loan where id = any(?::uuid[])`, [ids]);
    for (const loan of loans) {
      const exp = expected.get(loan.id)!;
      const at = `${loan.id} on ${d}`;
      // Installments: penalties and fees charged, interest and fees accrued so far.
      const got = installments.filter((r) => r.loan_id === loan.id).sort((a, b) => a.installment_number - b.installment_number);
      expect({ at, inst: got.map((r) => [r.installment_number, money(r.penalty_charges_due), money(r.fee_charges_due), money(r.interest_accrued), money(r.fee_accrued)]) })
        .toEqual({ at, inst: loan.installments.map((i, n) => [i.period, money(i.due.penalty), money(i.due.fee), money(loan.accrued[n]), money(loan.feeAccrued[n])]) });
      // Every application so far is one loan_charge row (its occurrence date, installment, amount, flavour) ...
      const allExpected = [...loan.charged].flatMap(([c, keys]) => [...keys].map((key) => {
        const [period, date] = key.split('@');
        return chargeKey(c, Number(period), date);
      })).sort();
      const mineCharges = loanCharges.filter((r) => r.loan_id === loan.id);
      expect({ at, keys: mineCharges.map((r) => r.request_id).sort() }).toEqual({ at, keys: allExpected });
      for (const r of mineCharges) {
        const [, c, period, date] = /^cob-charge-(\d+)-(\d+)-(.+)$/.exec(r.request_id)!;
        expect({ at, r: [r.installment_number, r.due_date, r.penalty, r.name] }).toEqual({ at, r: [Number(period), date, book.charges[Number(c) - 1].penalty, names[Number(c) - 1]] });
      }
      // ... and the day's: a PENALTY (fee: CHARGE) transaction each, with the domain's amount.
      const mine = txs.filter((t) => t.loan_id === loan.id);
      const applied = mine.filter((t) => t.type !== 'ACCRUAL');
      expect({ at, applied: applied.map((t) => [t.request_id, t.type, t.installment_number, money(t.amount), money(t.penalty_portion), money(t.fee_portion)]).sort() })
        .toEqual({ at, applied: [...exp.charges].map(([key, c]) => [key, c.penalty ? 'PENALTY' : 'CHARGE', c.period, money(c.amount), money(c.penalty ? c.amount : 0), money(c.penalty ? 0 : c.amount)]).sort() });
      for (const [key, c] of exp.charges) expect({ at, key, amount: money(mineCharges.find((r) => r.request_id === key)?.amount) }).toEqual({ at, key, amount: money(c.amount) });
      // Accrual: one ACCRUAL with the day's interest income, one with the fees that fell due.
      const interest = mine.filter((t) => t.type === 'ACCRUAL' && t.request_id.startsWith('cob-accrual-'));
      expect({ at, accrual: interest.map((t) => money(t.amount)) }).toEqual({ at, accrual: exp.interestAccrual.gt(0) ? [money(exp.interestAccrual)] : [] });
      const fees = mine.filter((t) => t.type === 'ACCRUAL' && t.request_id.startsWith('cob-fee-accrual-'));
      expect({ at, feeAccrual: fees.map((t) => [money(t.amount), money(t.fee_portion)]) })
        .toEqual({ at, feeAccrual: exp.feeAccrual.gt(0) ? [[money(exp.feeAccrual), money(exp.feeAccrual)]] : [] });
      // The journal of the day: receivables debited and income credited by exactly those amounts.
      const line = (code: string, type: string) => money(journal.find((j) => j.loan_id === loan.id && j.code === code && j.entry_type === type)?.amount ?? 0);
      const penalties = sum([...exp.charges.values()].filter((c) => c.penalty).map((c) => c.amount));
      const fee = exp.feeAccrual.plus(sum([...exp.charges.values()].filter((c) => !c.penalty).map((c) => c.amount)));
      expect({ at, j: [line('1200', 'DEBIT'), line('4000', 'CREDIT'), line('1210', 'DEBIT'), line('4100', 'CREDIT'), line('1220', 'DEBIT'), line('4200', 'CREDIT')] })
        .toEqual({ at, j: [money(exp.interestAccrual), money(exp.interestAccrual), money(fee), money(fee), money(penalties), money(penalties)] });
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

const scratch = fileScratchDatabase('cob_rules');

beforeAll(async () => {
  orm = await scratch.open();
  const em = orm.em.fork();
  [{ id: customerId }] = await sql<{ id: string }>(em, `
    insert into customer (id, first_name, last_name, email) values (gen_random_uuid(), 'Property', 'Borrower', 'property@example.com') returning id::text`);
  ranges = (await sql<{ classification: string; minimum_age_days: number; maximum_age_days: number | null }>(em,
    `select classification, minimum_age_days, maximum_age_days from delinquency_range order by minimum_age_days`))
    .map((r) => ({ classification: r.classification, minimumAgeDays: r.minimum_age_days, maximumAgeDays: r.maximum_age_days }));
});

afterAll(() => scratch.close());

it('the SQL steps of close of business and the domain functions agree to the cent on random books', async () => {
  expect(ranges.length).toBeGreaterThan(0);
  await fc.assert(fc.asyncProperty(bookArb, check), { numRuns: 40 });
});
