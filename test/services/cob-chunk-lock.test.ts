/**
 * A running COB chunk holds its loans with one cob_chunk_lock row (an id range and the date), not a row
 * per loan. What the lock check (cobLockOf, used by every servicing write) must say: locked for the loans
 * the chunk processes — active, in the range, not yet closed for its date — and free for a loan of the
 * range that is not active or already closed, and outside it; a failed loan's own row (with its error)
 * wins. processChunk replaces a lock an attempt that died left for the same range, drops one of an
 * earlier date, and leaves no lock behind; releaseChunkLocks clears what is left in a partition.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { addDays } from '../../src/domain/dates';
import { cobLockOf, processChunk, releaseChunkLocks } from '../../src/services/cob';
import { sql } from '../../src/services/sql';
import { fileScratchDatabase } from '../utils';

const D = '2027-03-01';
const scratch = fileScratchDatabase('cob_chunk_lock');
let orm: MikroORM;
/** Loan ids in id order; their state by name. */
const ids: Record<string, string> = {};

async function lockOf(loanId: string): Promise<unknown> {
  const [row] = await sql<{ lock: unknown }>(orm.em.fork(), `select ${cobLockOf('?')} as lock`, [loanId]);
  return row.lock;
}

async function chunkLocks(): Promise<{ from_loan_id: string; to_loan_id: string; business_date: string; owner: string }[]> {
  return sql(orm.em.fork(), `select from_loan_id::text, to_loan_id::text, business_date::text, owner from cob_chunk_lock order by id`);
}

beforeAll(async () => {
  orm = await scratch.open();
  const em = orm.em.fork();
  const [{ id: customerId }] = await sql<{ id: string }>(em, `
    insert into customer (id, first_name, last_name, email) values (gen_random_uuid(), 'Lock', 'Borrower', 'lock@example.com') returning id::text`);
  const [{ id: productId }] = await sql<{ id: string }>(em, `
    insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type)
    values (gen_random_uuid(), 'Lock book', 'USD', 2, 1, 1000000, 0, 100, 1, 24, 1, 'MONTHS') returning id::text`);
  // Loans with ids in this order: a, b (approved, not active), c (already closed for D), d (disbursed after D), e, f; and z after them.
  const states: [name: string, status: string, last: string | null, disbursed?: string][] = [
    ['a', 'ACTIVE', addDays(D, -1)], ['b', 'APPROVED', null], ['c', 'ACTIVE', D], ['d', 'ACTIVE', null, addDays(D, 1)],
    ['e', 'ACTIVE', addDays(D, -1)], ['f', 'ACTIVE', null], ['z', 'ACTIVE', addDays(D, -1)],
  ];
  for (const [k, [name, status, last, disbursed]] of states.entries()) {
    const id = `00000000-0000-4000-8000-00000000000${k + 1}`;
    ids[name] = id;
    await sql(em, `
      insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every,
        repayment_frequency_type, status, stage, workflow_id, disbursed_on, last_cob_date)
      values (?::uuid, ?::uuid, ?::uuid, 1000, 'USD', 12, 1, 1, 'MONTHS', ?, 'REPAYMENT', ?, ?::date, ?::date)`,
    [id, customerId, productId, status, `lock-${name}`, disbursed ?? '2027-01-01', last]);
    await sql(em, `
      insert into loan_installment (loan_id, installment_number, from_date, due_date, principal_due, interest_due, fee_charges_due, penalty_charges_due,
        principal_paid, interest_paid, interest_waived, interest_accrued, fee_paid, fee_waived, fee_accrued, completed)
      values (?::uuid, 1, '2027-01-01', '2027-06-01', 1000, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, false)`, [id]);
  }
});

afterAll(() => scratch.close());

afterEach(async () => {
  await sql(orm.em.fork(), `delete from cob_chunk_lock`);
  await sql(orm.em.fork(), `delete from loan_account_lock`);
});

it('a chunk lock holds the active loans of its range still to close for its date, and nothing else', async () => {
  await sql(orm.em.fork(), `insert into cob_chunk_lock (owner, business_date, from_loan_id, to_loan_id) values ('test', ?::date, ?::uuid, ?::uuid)`, [D, ids.a, ids.f]);
  expect(await lockOf(ids.a)).toEqual({ error: null });
  expect(await lockOf(ids.e)).toEqual({ error: null });
  // Never closed (last_cob_date null) and active: held.
  expect(await lockOf(ids.f)).toEqual({ error: null });
  // In the range but not a loan COB processes: not active, already closed for the date, disbursed after it.
  expect(await lockOf(ids.b)).toBeNull();
  expect(await lockOf(ids.c)).toBeNull();
  expect(await lockOf(ids.d)).toBeNull();
  // Outside the range.
  expect(await lockOf(ids.z)).toBeNull();
  // A failed loan's own row, with its error, is what the check reports.
  await sql(orm.em.fork(), `insert into loan_account_lock (loan_id, owner, business_date, error) values (?::uuid, 'test', ?::date, 'boom')`, [ids.e, D]);
  expect(await lockOf(ids.e)).toEqual({ error: 'boom' });
  expect(await lockOf(ids.z)).toBeNull();
});

it('processChunk replaces a dead attempt\'s lock for the range, drops an earlier date\'s, and leaves none', async () => {
  const em = orm.em.fork();
  await sql(em, `insert into cob_chunk_lock (owner, business_date, from_loan_id, to_loan_id) values ('dead', ?::date, ?::uuid, ?::uuid)`, [D, ids.e, ids.z]);
  await sql(em, `insert into cob_chunk_lock (owner, business_date, from_loan_id, to_loan_id) values ('yesterday', ?::date, ?::uuid, ?::uuid)`, [addDays(D, -1), ids.z, ids.z]);
  // A lock of the same date elsewhere (another partition's running chunk) stays.
  await sql(em, `insert into cob_chunk_lock (owner, business_date, from_loan_id, to_loan_id) values ('other', ?::date, ?::uuid, ?::uuid)`, [D, '00000000-0000-4000-8000-0000000000ff', '00000000-0000-4000-8000-0000000000ff']);
  const result = await processChunk(em, D, [ids.a, ids.e, ids.f], ['CHECK_LOAN_REPAYMENT_DUE'], 'live');
  expect(result).toMatchObject({ processed: 3, failed: 0 });
  expect((await chunkLocks()).map((l) => l.owner)).toEqual(['other']);
  const closed = await sql<{ id: string }>(orm.em.fork(), `select id::text from loan where last_cob_date = ?::date order by id`, [D]);
  expect(closed.map((r) => r.id)).toEqual([ids.a, ids.c, ids.e, ids.f]);
  // The loans are free again.
  expect(await lockOf(ids.a)).toBeNull();
});

it('releaseChunkLocks clears the locks of a date inside a partition\'s range, not outside it', async () => {
  const em = orm.em.fork();
  await sql(em, `insert into cob_chunk_lock (owner, business_date, from_loan_id, to_loan_id) values ('dead', ?::date, ?::uuid, ?::uuid)`, [addDays(D, 1), ids.e, ids.f]);
  await sql(em, `insert into cob_chunk_lock (owner, business_date, from_loan_id, to_loan_id) values ('other', ?::date, ?::uuid, ?::uuid)`, [addDays(D, 1), ids.z, ids.z]);
  await releaseChunkLocks(em, addDays(D, 1), ids.a, ids.f);
  expect((await chunkLocks()).map((l) => l.owner)).toEqual(['other']);
});
