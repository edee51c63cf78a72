import { Migration } from '@mikro-orm/migrations';

/**
 * Two indexes whose leading column another index of the table already leads with: `loan_status_index`
 * (status) beside `loan_status_id_index` (status, id), and `loan_charge_loan_id_index` (loan_id) beside
 * the unique (loan_id, request_id). Each cost an index entry on every insert (close of business writes a
 * loan_charge row per overdue charge it applies: ~57,000 on the bench's first date) and on every loan
 * row version that is not a HOT update; lookups by the leading column use the wider index.
 */
export class Migration20261204130000_redundant_indexes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index if exists "loan_status_index";`);
    this.addSql(`drop index if exists "loan_charge_loan_id_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "loan_status_index" on "loan" ("status");`);
    this.addSql(`create index "loan_charge_loan_id_index" on "loan_charge" ("loan_id");`);
  }

}
