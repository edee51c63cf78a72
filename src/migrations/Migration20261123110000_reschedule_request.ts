import { Migration } from '@mikro-orm/migrations';

/** Loan reschedule requests (officer submits, a different manager approves or rejects). */
export class Migration20261123110000_reschedule_request extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "loan_reschedule_request" (
      "id" uuid not null, "loan_id" uuid not null,
      "status" text check ("status" in ('PENDING', 'APPROVED', 'REJECTED')) not null default 'PENDING',
      "annual_interest_rate" numeric(12,6) null, "number_of_repayments" int null, "next_due_date" date null,
      "reason" varchar(500) not null, "submitted_by" varchar(100) not null, "submitted_at" timestamptz not null default now(),
      "decided_by" varchar(100) null, "decided_at" timestamptz null, "rejection_reason" varchar(500) null,
      "from_installment" int null, "result" jsonb null, "transaction_id" bigint null, "version" int not null default 1,
      constraint "loan_reschedule_request_pkey" primary key ("id"));`);
    this.addSql(`create index "loan_reschedule_request_status_submitted_at_id_index" on "loan_reschedule_request" ("status", "submitted_at", "id");`);
    this.addSql(`create index "loan_reschedule_request_loan_id_submitted_at_index" on "loan_reschedule_request" ("loan_id", "submitted_at");`);
    this.addSql(`create unique index "loan_reschedule_request_one_pending" on "loan_reschedule_request" ("loan_id") where "status" = 'PENDING';`);
    this.addSql(`alter table "loan_reschedule_request" add constraint "loan_reschedule_request_loan_id_foreign" foreign key ("loan_id") references "loan" ("id") on update cascade;`);
    this.addSql(`alter table "loan_reschedule_request" add constraint "loan_reschedule_request_transaction_id_foreign" foreign key ("transaction_id") references "loan_transaction" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "loan_reschedule_request" cascade;`);
  }
}
