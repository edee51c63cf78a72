/**
 * The read path's `balances` are summed in SQL (balancesOfLoans, src/services/loan-read.service.ts);
 * servicing and statements use loanBalances (src/services/servicing.service.ts) over the installment
 * rows. This property test seeds random books into a real PostgreSQL scratch database (installments
 * unpaid, partly or fully paid, overpaid, waived, the first ones settled, with fees, penalties and amounts up to 6 decimals and
 * 17 integer digits, loans without installments, rows inserted out of order) and asserts both give the
 * same figures for every loan, field by field, as the Decimal scalar serializes them (toFixed), for
 * random business dates around the due dates — including the next installment.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { MikroORM } from '@mikro-orm/postgresql';
import { addDays, type LocalDate } from '../../src/domain/dates';
import { totalOutstanding } from '../../src/domain/installments';
import { Decimal } from '../../src/domain/money';
import { balancesOfLoans, installmentsOfLoans, type LoanBalanceSums } from '../../src/services/loan-read.service';
import { loanBalances } from '../../src/services/servicing.service';
import { sql } from '../../src/services/sql';
import { fileScratchDatabase } from '../utils';

const BASE: LocalDate = '2027-01-01';

/** Amounts in millionths (the columns' scale): zero, whole cents, or any value the columns hold. */
const amountArb = fc.oneof(
  fc.constant(0n),
  fc.bigInt({ min: 1n, max: 10_000_000n }).map((c) => c * 10_000n),
  fc.bigInt({ min: 1n, max: 10n ** 23n }),
);
/** Per mille of what is due: none, all, some, or more than due (outstanding goes negative, unclamped). */
const shareArb = fc.oneof(fc.constant(0), fc.constant(1000), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1001, max: 1200 }));

interface ComponentSpec { due: bigint; paid: number; waived: number }
const componentArb = fc.record({ due: amountArb, paid: shareArb, waived: fc.oneof(fc.constant(0), shareArb) });
const installmentArb = fc.record({ days: fc.integer({ min: 0, max: 40 }), principal: componentArb, interest: componentArb, fee: componentArb, penalty: componentArb });
type InstallmentSpec = { days: number } & Record<'principal' | 'interest' | 'fee' | 'penalty', ComponentSpec>;
interface Book { loans: { installments: InstallmentSpec[]; shuffle: number; settled: number }[]; asOf: number[] }
const bookArb = fc.record({
  loans: fc.array(fc.record({
    installments: fc.array(installmentArb, { minLength: 0, maxLength: 12 }),
    /** Insertion order of the rows (the statement must order by installment number itself). */
    shuffle: fc.integer({ min: 0, max: 1000 }),
    /** The first so many installments exactly settled (paid in full, nothing waived): the next one is later, or none. */
    settled: fc.integer({ min: 0, max: 12 }),
  }), { minLength: 1, maxLength: 5 }),
  /** Business dates, as days after BASE (due dates fall in 0..480 days). */
  asOf: fc.array(fc.integer({ min: -5, max: 500 }), { minLength: 1, maxLength: 4 }),
});

const micro = (v: bigint) => new Decimal(v.toString()).div(1_000_000).toFixed();
const part = (due: bigint, perMille: number) => (due * BigInt(perMille)) / 1000n;
/** As the Decimal scalar writes it (servicing.type's fields). */
const wire = (v: Decimal | null | undefined) => (v == null ? null : v.toFixed());

let orm: MikroORM;
let customerId: string;
let productId: string;
const scratch = fileScratchDatabase('loan_balances');

async function seed(book: Book): Promise<string[]> {
  const em = orm.em.fork();
  const ids = book.loans.map(() => randomUUID());
  await sql(em, `
    insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every,
      repayment_frequency_type, status, stage, workflow_id, disbursed_on)
    select id, ?::uuid, ?::uuid, 1000, 'USD', 12, 12, 1, 'MONTHS', 'ACTIVE', 'REPAYMENT', 'balances-property', ?::date from unnest(?::uuid[]) id`,
  [customerId, productId, BASE, ids]);
  const cols: Record<string, string[]> = {};
  const push = (k: string, v: string) => (cols[k] ??= []).push(v);
  book.loans.forEach((loan, l) => {
    let due = BASE;
    const rows = loan.installments.map((s, n) => {
      const from = due;
      due = addDays(due, s.days);
      return { n: n + 1, from, due, s };
    });
    // A deterministic shuffle: rows reach the table out of installment order.
    rows.sort((a, b) => ((a.n * 7919 + loan.shuffle) % 97) - ((b.n * 7919 + loan.shuffle) % 97));
    for (const { n, from, due: d, s } of rows) {
      push('loan', ids[l]);
      push('n', String(n));
      push('from', from);
      push('due', d);
      const settled = n <= loan.settled;
      for (const c of ['principal', 'interest', 'fee', 'penalty'] as const) {
        push(`${c}Due`, micro(s[c].due));
        push(`${c}Paid`, micro(settled ? s[c].due : part(s[c].due, s[c].paid)));
        if (c !== 'principal') push(`${c}Waived`, micro(settled ? 0n : part(s[c].due, s[c].waived))); // no principal_waived column
      }
    }
  });
  if (!cols.loan) return ids;
  await sql(em, `
    insert into loan_installment (loan_id, installment_number, from_date, due_date, principal_due, interest_due, fee_charges_due, penalty_charges_due,
      principal_paid, interest_paid, fee_paid, penalty_paid, interest_waived, fee_waived, penalty_waived)
    select * from unnest(?::uuid[], ?::int[], ?::date[], ?::date[], ?::numeric[], ?::numeric[], ?::numeric[], ?::numeric[],
      ?::numeric[], ?::numeric[], ?::numeric[], ?::numeric[], ?::numeric[], ?::numeric[], ?::numeric[])`,
  [cols.loan, cols.n, cols.from, cols.due, cols.principalDue, cols.interestDue, cols.feeDue, cols.penaltyDue,
    cols.principalPaid, cols.interestPaid, cols.feePaid, cols.penaltyPaid, cols.interestWaived, cols.feeWaived, cols.penaltyWaived]);
  return ids;
}

/** What the `balances` resolver returned before: loanBalances over the loaded rows, null without rows. */
function expected(rows: Awaited<ReturnType<typeof installmentsOfLoans>>[number], asOf: string) {
  if (rows.length === 0) return null;
  const b = loanBalances(rows, asOf);
  return {
    principalOutstanding: wire(b.principalOutstanding), interestOutstanding: wire(b.interestOutstanding), feeOutstanding: wire(b.feeOutstanding),
    penaltyOutstanding: wire(b.penaltyOutstanding), totalOutstanding: wire(b.totalOutstanding), totalOverdue: wire(b.totalOverdue),
    nextInstallmentNumber: b.nextInstallment?.period ?? null, nextInstallmentDueDate: b.nextInstallment?.dueDate ?? null,
    nextInstallmentAmount: b.nextInstallment ? wire(totalOutstanding(b.nextInstallment)) : null,
  };
}

function actual(b: LoanBalanceSums | undefined) {
  if (!b) return null;
  return {
    principalOutstanding: wire(b.principalOutstanding), interestOutstanding: wire(b.interestOutstanding), feeOutstanding: wire(b.feeOutstanding),
    penaltyOutstanding: wire(b.penaltyOutstanding), totalOutstanding: wire(b.totalOutstanding), totalOverdue: wire(b.totalOverdue),
    nextInstallmentNumber: b.nextInstallmentNumber, nextInstallmentDueDate: b.nextInstallmentDueDate, nextInstallmentAmount: wire(b.nextInstallmentAmount),
  };
}

async function check(book: Book): Promise<void> {
  const ids = await seed(book);
  const em = orm.em.fork();
  const rows = await installmentsOfLoans(em, ids);
  for (const days of book.asOf) {
    const asOf = addDays(BASE, days);
    const sums = await balancesOfLoans(em, ids, asOf);
    ids.forEach((id, k) => {
      expect({ loan: k, asOf, balances: actual(sums[k]) }).toEqual({ loan: k, asOf, balances: expected(rows[k], asOf) });
    });
  }
}

beforeAll(async () => {
  orm = await scratch.open();
  const em = orm.em.fork();
  [{ id: customerId }] = await sql<{ id: string }>(em, `
    insert into customer (id, first_name, last_name, email) values (gen_random_uuid(), 'Balances', 'Borrower', 'balances@example.com') returning id::text`);
  [{ id: productId }] = await sql<{ id: string }>(em, `
    insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type)
    values (gen_random_uuid(), 'Balances book', 'USD', 2, 1, 1000000, 0, 100, 1, 24, 1, 'MONTHS') returning id::text`);
});

afterAll(() => scratch.close());

it('balancesOfLoans (SQL) equals loanBalances over the rows, field by field, on random books and dates', async () => {
  await fc.assert(fc.asyncProperty(bookArb, check), { numRuns: 100 });
});

it('gives the same balances inside a transaction (placeholders bound in order there)', async () => {
  const ids = await seed({
    loans: [{ shuffle: 3, settled: 0, installments: [1, 2, 3].map((n) => ({
      days: 30,
      principal: { due: 100_000_000n, paid: n === 1 ? 1000 : 0, waived: 0 },
      interest: { due: 5_250_000n, paid: n === 1 ? 1000 : 400, waived: n === 1 ? 0 : 100 },
      fee: { due: n === 2 ? 1_000_000n : 0n, paid: 0, waived: 0 },
      penalty: { due: 0n, paid: 0, waived: 0 },
    })) }, { shuffle: 0, settled: 0, installments: [] }],
    asOf: [],
  });
  const asOf = addDays(BASE, 65);
  const outside = await balancesOfLoans(orm.em.fork(), ids, asOf);
  const inside = await orm.em.fork().transactional((tx) => balancesOfLoans(tx, ids, asOf));
  expect(inside.map(actual)).toEqual(outside.map(actual));
  // 3 × 100 principal, 1 paid; interest 5.25 each, the first paid, the others 40 % paid and 10 % waived.
  expect(actual(outside[0])).toEqual({
    principalOutstanding: '200', interestOutstanding: '5.25', feeOutstanding: '1', penaltyOutstanding: '0',
    totalOutstanding: '206.25', totalOverdue: '103.625', nextInstallmentNumber: 2, nextInstallmentDueDate: '2027-03-02', nextInstallmentAmount: '103.625',
  });
  expect(outside[1]).toBeUndefined();
});
