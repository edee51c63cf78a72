/**
 * postJournal looks the GL accounts up by code inside its one INSERT: a code with no account writes no
 * line at all (not the lines whose accounts exist) and is a ValidationError naming glMapping. And the
 * journal's references, checked per insert statement by its trigger (Migration20261206120000, in place
 * of two foreign keys): a line names a transaction of its own loan and an existing GL account, and
 * those cannot be deleted or renumbered while lines name them, also when both happen at once. Real
 * PostgreSQL, a database of its own. (Balanced postings are covered by every servicing test.)
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ValidationError } from '../../src/domain/errors';
import { Decimal } from '../../src/domain/money';
import { postJournal } from '../../src/services/ledger.service';
import { sql } from '../../src/services/sql';
import { fileScratchDatabase, inSavepoint } from '../utils';

let orm: MikroORM;
const scratch = fileScratchDatabase('ledger_posting');

beforeAll(async () => {
  orm = await scratch.open();
});

afterAll(() => scratch.close());

it('refuses a GL mapping to a code with no account, naming it, and writes no line', async () => {
  const em = orm.em.fork();
  const lines = [
    { role: 'LOAN_PORTFOLIO' as const, entryType: 'DEBIT' as const, amount: new Decimal('10.00') },
    { role: 'FUND_SOURCE' as const, entryType: 'CREDIT' as const, amount: new Decimal('10.00') },
  ];
  const target = {
    loanTransactionId: '1', loanId: '00000000-0000-4000-8000-000000000001', currencyCode: 'USD', businessDate: '2030-01-10',
    glMapping: { FUND_SOURCE: 'NO-SUCH-CODE' },
  };
  const failure = await em.transactional((tx) => postJournal(tx, target, lines)).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(ValidationError);
  expect(failure).toMatchObject({ field: 'glMapping', message: expect.stringContaining('NO-SUCH-CODE for FUND_SOURCE') });
  expect(await sql(orm.em.fork(), 'select 1 from journal_entry')).toEqual([]);
});

describe('the journal references what exists, as foreign keys would', () => {
  let db: Client;
  let other: Client;
  let loanId: string;
  let txId: string;
  let account: number;
  let spare: number;
  const pids = new Map<Client, number>();

  const attempt = inSavepoint;
  const lines = (tx: string, loan: string, debit: number, credit: number) => ({
    text: `insert into journal_entry (loan_transaction_id, loan_id, gl_account_id, entry_type, amount, currency_code, business_date)
           values ($1, $2, $3, 'DEBIT', 10, 'USD', current_date), ($1, $2, $4, 'CREDIT', 10, 'USD', current_date)`,
    params: [tx, loan, debit, credit],
  });
  /** A transaction of the loan, committed, and a GL account of its own (code `code`), committed. */
  const fresh = async (code: string) => {
    const { rows: [t] } = await db.query(`insert into loan_transaction (loan_id, type, amount, transaction_date, request_id) values ($1, 'DISBURSEMENT', 10, current_date, $2) returning id::text`, [loanId, code]);
    const { rows: [g] } = await db.query(`insert into gl_account (code, name, type) values ($1, $1, 'ASSET') returning id`, [code]);
    return { tx: t.id as string, gl: g.id as number };
  };
  /** Resolves once `c`'s backend waits for a lock (asked on a connection of the pool: `c` is busy). */
  const waitingForLock = async (c: Client) => {
    for (let tries = 0; tries < 100; tries++) {
      const rows = await orm.em.getConnection().execute(`select wait_event_type from pg_stat_activity where pid = ?`, [pids.get(c)]);
      if (rows[0]?.wait_event_type === 'Lock') return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the second statement never waited for the first');
  };

  beforeAll(async () => {
    const url = orm.config.get('clientUrl');
    db = new Client({ connectionString: url });
    other = new Client({ connectionString: url });
    await Promise.all([db.connect(), other.connect()]);
    for (const c of [db, other]) pids.set(c, (await c.query('select pg_backend_pid() as pid')).rows[0].pid);
    const { rows: [p] } = await db.query(`insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type) values (gen_random_uuid(), 'journal-refs', 'USD', 2, 1, 2, 1, 2, 1, 2, 1, 'MONTHS') returning id`);
    const { rows: [c] } = await db.query(`insert into customer (id, first_name, last_name, email) values (gen_random_uuid(), 'J', 'R', 'journal-refs@example.com') returning id`);
    const { rows: [l] } = await db.query(`insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every, repayment_frequency_type, workflow_id)
      values (gen_random_uuid(), $1, $2, 100, 'USD', 10, 1, 1, 'MONTHS', 'x') returning id::text`, [c.id, p.id]);
    loanId = l.id;
    ({ tx: txId, gl: account } = await fresh('JR-1'));
    ({ gl: spare } = await fresh('JR-2'));
    await db.query(lines(txId, loanId, account, spare).text, lines(txId, loanId, account, spare).params);
  });

  afterAll(async () => {
    await Promise.all([db?.end(), other?.end()]);
  });

  it('refuses a line naming no GL account, no transaction, or a transaction of another loan, and writes none of the statement', async () => {
    await db.query('begin');
    try {
      const missingAccount = lines(txId, loanId, account, 999999);
      expect(await attempt(db, missingAccount.text, missingAccount.params)).toBe('journal entry names GL account 999999, which does not exist');
      const missingTx = lines('999999999', loanId, account, spare);
      expect(await attempt(db, missingTx.text, missingTx.params)).toBe('journal entry names loan transaction 999999999, which is not a transaction of its loan');
      const otherLoan = lines(txId, '00000000-0000-4000-8000-000000000009', account, spare);
      expect(await attempt(db, otherLoan.text, otherLoan.params)).toMatch(/not a transaction of its loan/);
      // A transaction written in the same database transaction as its lines (how every posting is made).
      const { rows: [t] } = await db.query(`insert into loan_transaction (loan_id, type, amount, transaction_date, request_id) values ($1, 'REPAYMENT', 10, current_date, 'jr-same') returning id::text`, [loanId]);
      const same = lines(t.id, loanId, account, spare);
      expect(await attempt(db, same.text, same.params)).toBe('ok');
      const { rows } = await db.query(`select count(*)::int as n from journal_entry`);
      expect(rows[0].n).toBe(4);
    } finally {
      await db.query('rollback');
    }
  });

  it('keeps a transaction and a GL account that lines name: no delete, no other id; unnamed ones go', async () => {
    await db.query('begin');
    try {
      expect(await attempt(db, `delete from loan_transaction where id = $1`, [txId])).toBe(`loan_transaction ${txId} has journal entries: it cannot be deleted or given another id`);
      expect(await attempt(db, `update loan_transaction set id = id + 1000000 where id = $1`, [txId])).toMatch(/has journal entries/);
      expect(await attempt(db, `delete from gl_account where id = $1`, [account])).toBe(`gl_account ${account} has journal entries: it cannot be deleted or given another id`);
      expect(await attempt(db, `update gl_account set id = id + 1000 where id = $1`, [account])).toMatch(/has journal entries/);
      // A loan's transactions go with it (cascade): not when lines name them.
      expect(await attempt(db, `delete from loan where id = $1`, [loanId])).toMatch(/has journal entries/);
      // What changes no reference is free.
      expect(await attempt(db, `update gl_account set name = 'renamed' where id = $1`, [account])).toBe('ok');
      expect(await attempt(db, `update loan_transaction set amount = amount where id = $1`, [txId])).toBe('ok');
      const { gl } = await fresh('JR-unused');
      expect(await attempt(db, `delete from gl_account where id = $1`, [gl])).toBe('ok');
    } finally {
      await db.query('rollback');
    }
  });

  it('a GL account deleted while lines naming it are posted: whichever comes second fails', async () => {
    // Lines first: the delete waits for them to commit, then finds them.
    const first = await fresh('JR-race-1');
    await db.query('begin');
    await db.query(lines(first.tx, loanId, first.gl, spare).text, lines(first.tx, loanId, first.gl, spare).params);
    const deleting = other.query(`delete from gl_account where id = $1`, [first.gl]).then(() => 'ok', (err: Error) => err.message);
    await waitingForLock(other);
    await db.query('commit');
    expect(await deleting).toMatch(/has journal entries/);

    // The delete first: the lines wait for it to commit, then find no account.
    const second = await fresh('JR-race-2');
    await other.query('begin');
    await other.query(`delete from gl_account where id = $1`, [second.gl]);
    const posting = db.query(lines(second.tx, loanId, second.gl, spare).text, lines(second.tx, loanId, second.gl, spare).params).then(() => 'ok', (err: Error) => err.message);
    await waitingForLock(db);
    await other.query('commit');
    expect(await posting).toBe(`journal entry names GL account ${second.gl}, which does not exist`);
  });

  it('a transaction deleted while lines naming it are posted by another: whichever comes second fails', async () => {
    const third = await fresh('JR-race-3');
    await other.query('begin');
    await other.query(`delete from loan_transaction where id = $1`, [third.tx]);
    const posting = db.query(lines(third.tx, loanId, account, spare).text, lines(third.tx, loanId, account, spare).params).then(() => 'ok', (err: Error) => err.message);
    await waitingForLock(db);
    await other.query('commit');
    expect(await posting).toBe(`journal entry names loan transaction ${third.tx}, which is not a transaction of its loan`);

    const fourth = await fresh('JR-race-4');
    await db.query('begin');
    await db.query(lines(fourth.tx, loanId, account, spare).text, lines(fourth.tx, loanId, account, spare).params);
    const deleting = other.query(`delete from loan_transaction where id = $1`, [fourth.tx]).then(() => 'ok', (err: Error) => err.message);
    await waitingForLock(other);
    await db.query('commit');
    expect(await deleting).toMatch(/has journal entries/);
  });
});
