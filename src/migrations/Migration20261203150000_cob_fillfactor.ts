import { Migration } from '@mikro-orm/migrations';

/**
 * Room on each page for close of business's daily row versions. COB updates every active loan row
 * (next due date, overdue amount, days past due, last_cob_date) and each loan's current installment
 * (interest accrued) once a day. None of those columns is indexed, so PostgreSQL can write the new
 * version as a HOT update (no index entries) — but only if it fits on the same page, and rows
 * inserted at the default fillfactor of 100 leave no room: every such update then went to another page
 * and added an entry to each of the table's indexes (loan: 6; installments: 3). Measured on a 100k book
 * (README, COB benchmark): the loan-state update 33 → 19 ms a chunk of 1,000 loans, accrual 47 → 41 ms.
 * Applies to pages written from now on; an existing table gets it when rewritten (VACUUM FULL, pg_repack).
 */
export class Migration20261203150000_cob_fillfactor extends Migration {

  override async up(): Promise<void> {
    // A loan row is ~1.1 KB (its schedule terms are JSON): 20 % leaves room for one new version a page
    // between prunings. An installment row is ~135 bytes: 10 % holds the few a chunk updates on a page.
    this.addSql(`alter table "loan" set (fillfactor = 80);`);
    this.addSql(`alter table "loan_installment" set (fillfactor = 90);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "loan" reset (fillfactor);`);
    this.addSql(`alter table "loan_installment" reset (fillfactor);`);
  }

}
