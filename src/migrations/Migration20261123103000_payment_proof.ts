import { Migration } from '@mikro-orm/migrations';

/** Proofs of payment uploaded for active loans, and the officers' verification queue. */
export class Migration20261123103000_payment_proof extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "payment_proof" (
      "id" uuid not null, "loan_id" uuid not null, "customer_id" uuid not null, "document_id" uuid not null,
      "amount" numeric(24,6) not null, "payment_date" date not null, "payment_reference" varchar(100) null,
      "status" text check ("status" in ('SUBMITTED', 'VERIFIED', 'REJECTED')) not null default 'SUBMITTED',
      "submitted_by" varchar(100) not null, "submitted_by_role" varchar(32) not null, "submitted_at" timestamptz not null default now(),
      "decided_by" varchar(100) null, "decided_at" timestamptz null, "rejection_reason" varchar(500) null,
      "transaction_id" bigint null, "version" int not null default 1,
      constraint "payment_proof_pkey" primary key ("id"));`);
    this.addSql(`alter table "payment_proof" add constraint "payment_proof_document_id_unique" unique ("document_id");`);
    this.addSql(`create index "payment_proof_queue_index" on "payment_proof" ("status", "submitted_at", "id");`);
    this.addSql(`create index "payment_proof_loan_id_submitted_at_index" on "payment_proof" ("loan_id", "submitted_at");`);
    this.addSql(`alter table "payment_proof" add constraint "payment_proof_loan_id_foreign" foreign key ("loan_id") references "loan" ("id") on update cascade;`);
    this.addSql(`alter table "payment_proof" add constraint "payment_proof_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade;`);
    this.addSql(`alter table "payment_proof" add constraint "payment_proof_document_id_foreign" foreign key ("document_id") references "document" ("id") on update cascade;`);
    this.addSql(`alter table "payment_proof" add constraint "payment_proof_transaction_id_foreign" foreign key ("transaction_id") references "loan_transaction" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_proof" cascade;`);
  }
}
