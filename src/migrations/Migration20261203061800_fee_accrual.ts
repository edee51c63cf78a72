import { Migration } from '@mikro-orm/migrations';

/**
 * Fees accrued per installment (periodic accrual): close of business books each installment's fees
 * receivable on its due date. Fees already added to active accrual loans were booked when charged, so
 * they start accrued.
 */
export class Migration20261203061800_fee_accrual extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "loan_installment" add column "fee_accrued" numeric(24,6) not null default 0;`);
    this.addSql(`
      update "loan_installment" i set "fee_accrued" = c.amount
        from (select lc.loan_id, lc.installment_number, sum(lc.amount) as amount
                from "loan_charge" lc join "loan" l on l.id = lc.loan_id join "loan_product" p on p.id = l.product_id
               where lc.created_by <> 'system' and not lc.penalty and lc.installment_number is not null and p.accounting_rule = 'ACCRUAL_PERIODIC'
               group by lc.loan_id, lc.installment_number) c
       where i.loan_id = c.loan_id and i.installment_number = c.installment_number;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "loan_installment" drop column "fee_accrued";`);
  }

}
