/**
 * Migration20261203063000_overdue_charges on a book written before it: a product's penalty setting
 * becomes an OVERDUE_INSTALLMENT charge on the product and on its loans' stored terms, an installment
 * already charged is not charged again by close of business, and one not yet charged still is.
 */
import 'reflect-metadata';
import type { MikroORM } from '@mikro-orm/postgresql';
import { dropDatabase, ensureDatabase, openDatabase } from '../../src/database';
import { runSteps } from '../../src/services/cob';
import { sql } from '../../src/services/sql';

let orm: MikroORM;
let url: string;

beforeAll(async () => {
  const u = new URL(process.env.DATABASE_URL!);
  u.pathname = `/overdue_migration_${process.pid}`;
  url = u.toString();
  await dropDatabase(url);
  await ensureDatabase(url);
  orm = await openDatabase(url);
  await orm.getMigrator().up({ to: 'Migration20261203061800_fee_accrual' });
});

afterAll(async () => {
  await orm?.close();
  if (url) await dropDatabase(url);
});

it('turns product penalties into overdue charges the loans carry, without charging an installment twice', async () => {
  const em = orm.em.fork();
  const [product] = await sql<{ id: string }>(em, `
    insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type, accounting_rule, penalty_calculation_type, penalty_amount, penalty_grace_days)
    values (gen_random_uuid(), 'Old penalty product', 'USD', 2, 1, 100000, 0, 100, 1, 24, 1, 'MONTHS', 'ACCRUAL_PERIODIC', 'PERCENT_OF_OVERDUE_PRINCIPAL', 2, 3)
    returning id::text`);
  await sql(em, `insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type) values (gen_random_uuid(), 'No penalty', 'USD', 2, 1, 2, 0, 1, 1, 2, 1, 'MONTHS')`);
  await sql(em, `insert into loan_product_settings_version (product_id, version, settings, charges, created_by) values (?::uuid, 1, '{}', '[]', 'test')`, [product.id]);
  const [customer] = await sql<{ id: string }>(em, `insert into customer (id, first_name, last_name, email) values (gen_random_uuid(), 'M', 'T', 'migration@example.com') returning id::text`);
  const [loan] = await sql<{ id: string }>(em, `
    insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every, repayment_frequency_type,
      status, stage, workflow_id, disbursed_on, last_cob_date, schedule_settings)
    values (gen_random_uuid(), ?::uuid, ?::uuid, 2000, 'USD', 0, 2, 1, 'MONTHS', 'ACTIVE', 'REPAYMENT', 'm', '2027-01-01', '2027-03-09',
      '{"currencyCode": "USD", "charges": [{"name": "Setup fee", "amount": "5", "chargeTimeType": "DISBURSEMENT", "chargeCalculationType": "FLAT", "penalty": false}]}')
    returning id::text`, [customer.id, product.id]);
  // Installment 1 was charged by the old step (2 % of 1000 on 2027-02-04); installment 2 falls overdue after the migration.
  await sql(em, `insert into loan_installment (loan_id, installment_number, from_date, due_date, principal_due, interest_due, fee_charges_due, penalty_charges_due, penalty_applied_on)
    values (?::uuid, 1, '2027-01-01', '2027-02-01', 1000, 0, 0, 20, '2027-02-04'), (?::uuid, 2, '2027-02-01', '2027-03-01', 1000, 0, 0, 0, null)`, [loan.id, loan.id]);
  await sql(em, `insert into loan_transaction (loan_id, type, amount, transaction_date, request_id, penalty_portion, installment_number)
    values (?::uuid, 'PENALTY', 20, '2027-02-04', 'cob-penalty-1', 20, 1)`, [loan.id]);

  await orm.getMigrator().up();

  const charges = await sql<{ id: string; name: string; charge_calculation_type: string; penalty: boolean; amount: string; grace_days: number; fee_interval: number | null }>(em,
    `select id::text, name, charge_calculation_type, penalty, amount::text, grace_days, fee_interval from charge where charge_time_type = 'OVERDUE_INSTALLMENT'`);
  expect(charges).toEqual([{ id: expect.any(String), name: 'Overdue penalty – Old penalty product', charge_calculation_type: 'PERCENT_OF_AMOUNT', penalty: true, amount: '2.000000', grace_days: 3, fee_interval: null }]);
  expect(await sql(em, `select 1 from loan_product_charge where product_id = ?::uuid and charge_id = ?::uuid`, [product.id, charges[0].id])).toHaveLength(1);
  const [{ terms }] = await sql<{ terms: any }>(em, `select schedule_settings->'charges' as terms from loan where id = ?::uuid`, [loan.id]);
  expect(terms).toEqual([
    { name: 'Setup fee', amount: '5', chargeTimeType: 'DISBURSEMENT', chargeCalculationType: 'FLAT', penalty: false },
    { name: charges[0].name, amount: '2', chargeTimeType: 'OVERDUE_INSTALLMENT', chargeCalculationType: 'PERCENT_OF_AMOUNT', penalty: true, graceDays: 3, feeInterval: null },
  ]);
  const [{ version }] = await sql<{ version: any }>(em, `select charges as version from loan_product_settings_version where product_id = ?::uuid`, [product.id]);
  expect(version).toEqual([terms[1]]);
  // The old application is listed as a loan charge, under the key close of business now uses.
  // With its share on installment 1 (Migration20261203064000_installment_charges), so it can be waived like one COB writes now.
  expect(await sql(em, `select installment_number, amount::text, due_date::text, request_id, installment_charges from loan_charge where loan_id = ?::uuid`, [loan.id]))
    .toEqual([{ installment_number: 1, amount: '20.000000', due_date: '2027-02-05', request_id: 'cob-charge-2-1-2027-02-05',
      installment_charges: [{ installmentNumber: 1, amount: '20', amountWaived: '0', waived: false }] }]);

  await em.transactional((tx) => runSteps(tx, '2027-03-10', [loan.id], ['APPLY_PENALTY_FOR_OVERDUE_LOANS']));
  const installments = await sql<{ installment_number: number; penalty_charges_due: string }>(em,
    `select installment_number, penalty_charges_due::text from loan_installment where loan_id = ?::uuid order by installment_number`, [loan.id]);
  expect(installments.map((i) => [i.installment_number, i.penalty_charges_due])).toEqual([[1, '20.000000'], [2, '20.000000']]);
  expect(await sql(em, `select request_id, amount::text from loan_transaction where loan_id = ?::uuid and type = 'PENALTY' order by id`, [loan.id]))
    .toEqual([{ request_id: 'cob-penalty-1', amount: '20.000000' }, { request_id: 'cob-charge-2-2-2027-03-05', amount: '20.000000' }]);
});
