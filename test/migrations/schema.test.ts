/**
 * The committed migrations build exactly the schema the entities describe: on the freshly migrated
 * test database the schema generator finds nothing left to change (so `npm run migration:create`
 * never sneaks in a drop of something a migration made, and entities never drift from the tables).
 */
import 'reflect-metadata';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { openDatabase } from '../../src/database';
import { inSavepoint } from '../utils';

let orm: MikroORM;

beforeAll(async () => {
  orm = await openDatabase(process.env.DATABASE_URL!);
});

afterAll(async () => {
  await orm?.close();
});

it('entities and migrations agree', async () => {
  const sql = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
  expect(sql.trim()).toBe('');
});

it('the tables close of business updates daily leave room on their pages for HOT updates', async () => {
  const rows = await orm.em.getConnection().execute(`select relname, reloptions from pg_class where relname in ('loan', 'loan_installment') order by relname`);
  expect(rows).toEqual([
    { relname: 'loan', reloptions: ['fillfactor=80'] },
    { relname: 'loan_installment', reloptions: ['fillfactor=90'] },
  ]);
});

it('the ledger refuses an unbalanced entry and any change to a posted one', async () => {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const savepoint = (sql: string, params: unknown[] = []) => inSavepoint(db, sql, params);
  try {
    await db.query('begin');
    const { rows: [p] } = await db.query(`insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type) values (gen_random_uuid(), 'ledger-test', 'USD', 2, 1, 2, 1, 2, 1, 2, 1, 'MONTHS') returning id`);
    const { rows: [c] } = await db.query(`insert into customer (id, first_name, last_name, email) values (gen_random_uuid(), 'L', 'T', 'ledger-test@example.com') returning id`);
    const { rows: [l] } = await db.query(`insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every, repayment_frequency_type, workflow_id)
      values (gen_random_uuid(), $1, $2, 100, 'USD', 10, 1, 1, 'MONTHS', 'x') returning id`, [c.id, p.id]);
    const { rows: [t] } = await db.query(`insert into loan_transaction (loan_id, type, amount, transaction_date, request_id) values ($1, 'DISBURSEMENT', 100, current_date, 'ledger-test') returning id`, [l.id]);
    const line = (type: string, code: string, amount: string) =>
      `(${t.id}, '${l.id}', (select id from gl_account where code = '${code}'), '${type}', ${amount}, 'USD', current_date)`;
    const insert = (...lines: string[]) => `insert into journal_entry (loan_transaction_id, loan_id, gl_account_id, entry_type, amount, currency_code, business_date) values ${lines.join(', ')}`;
    expect(await savepoint(insert(line('DEBIT', '1100', '100')))).toMatch(/^unbalanced journal entry for loan transaction \d+$/);
    expect(await savepoint(insert(line('DEBIT', '1100', '100'), line('CREDIT', '1000', '99.99')))).toMatch(/unbalanced/);
    expect(await savepoint(insert(line('DEBIT', '1100', '0'), line('CREDIT', '1000', '0')))).toMatch(/journal_entry_amount_positive/);
    expect(await savepoint(insert(line('DEBIT', '1100', '100'), line('CREDIT', '1000', '100')))).toBe('ok');
    expect(await savepoint(`update journal_entry set amount = 101 where loan_transaction_id = $1`, [t.id])).toMatch(/append-only/);
    expect(await savepoint(`delete from journal_entry where loan_transaction_id = $1`, [t.id])).toMatch(/append-only/);
  } finally {
    await db.query('rollback');
    await db.end();
  }
});
