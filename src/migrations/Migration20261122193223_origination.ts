import { Migration } from '@mikro-orm/migrations';

export class Migration20261122193223_origination extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "loan_installment" ("id" bigserial primary key, "loan_id" uuid not null, "installment_number" int not null, "from_date" date not null, "due_date" date not null, "principal_due" numeric(24,6) not null, "interest_due" numeric(24,6) not null, "fee_charges_due" numeric(24,6) not null, "penalty_charges_due" numeric(24,6) not null);`);
    this.addSql(`alter table "loan_installment" add constraint "loan_installment_loan_id_installment_number_unique" unique ("loan_id", "installment_number");`);

    this.addSql(`create table "document" ("id" uuid not null, "customer_id" uuid not null, "loan_id" uuid null, "type" varchar(32) not null, "file_name" varchar(255) not null, "content_type" varchar(100) not null, "size" int not null, "sha256" varchar(64) not null, "storage_key" varchar(255) not null, "uploaded_by" varchar(100) not null, "deleted_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "document_pkey" primary key ("id"));`);
    this.addSql(`create index "document_loan_id_created_at_index" on "document" ("loan_id", "created_at");`);

    this.addSql(`create table "loan_transaction" ("id" bigserial primary key, "loan_id" uuid not null, "type" varchar(32) not null, "amount" numeric(24,6) not null, "transaction_date" date not null, "request_id" varchar(100) not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "loan_transaction" add constraint "loan_transaction_loan_id_request_id_unique" unique ("loan_id", "request_id");`);

    this.addSql(`create table "risk_rule_set" ("version" serial primary key, "rules" jsonb not null, "created_by" varchar(100) not null, "created_at" timestamptz not null default now());`);

    this.addSql(`alter table "loan_installment" add constraint "loan_installment_loan_id_foreign" foreign key ("loan_id") references "loan" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "document" add constraint "document_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade;`);
    this.addSql(`alter table "document" add constraint "document_loan_id_foreign" foreign key ("loan_id") references "loan" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "loan_transaction" add constraint "loan_transaction_loan_id_foreign" foreign key ("loan_id") references "loan" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "customer" add column "monthly_income" numeric(24,6) null, add column "monthly_obligations" numeric(24,6) null, add column "employment_status" varchar(32) null, add column "employment_years" int null, add column "address" varchar(300) null, add column "national_id" varchar(64) null;`);

    this.addSql(`alter table "loan" add column "origination" jsonb null, add column "disbursed_on" date null;`);

    this.addSql(`alter table "loan_event" add column "data" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "loan_installment" cascade;`);

    this.addSql(`drop table if exists "document" cascade;`);

    this.addSql(`drop table if exists "loan_transaction" cascade;`);

    this.addSql(`drop table if exists "risk_rule_set" cascade;`);

    this.addSql(`alter table "customer" drop column "monthly_income", drop column "monthly_obligations", drop column "employment_status", drop column "employment_years", drop column "address", drop column "national_id";`);

    this.addSql(`alter table "loan" drop column "origination", drop column "disbursed_on";`);

    this.addSql(`alter table "loan_event" drop column "data";`);
  }

}
