import { Migration } from '@mikro-orm/migrations';

export class Migration20261122184345_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "customer" ("id" uuid not null, "first_name" varchar(100) not null, "last_name" varchar(100) not null, "email" varchar(254) not null, "phone" varchar(32) null, "date_of_birth" date null, "external_id" varchar(100) null, "created_at" timestamptz not null default now(), "version" int not null default 1, constraint "customer_pkey" primary key ("id"));`);
    this.addSql(`alter table "customer" add constraint "customer_email_unique" unique ("email");`);
    this.addSql(`alter table "customer" add constraint "customer_external_id_unique" unique ("external_id");`);

    this.addSql(`create table "loan_product" ("id" uuid not null, "name" varchar(100) not null, "description" varchar(500) null, "currency_code" varchar(3) not null, "digits_after_decimal" int not null, "min_principal" numeric(24,6) not null, "max_principal" numeric(24,6) not null, "min_interest_rate" numeric(12,6) not null, "max_interest_rate" numeric(12,6) not null, "min_number_of_repayments" int not null, "max_number_of_repayments" int not null, "repayment_every" int not null, "repayment_frequency_type" text check ("repayment_frequency_type" in ('DAYS', 'WEEKS', 'MONTHS')) not null, "created_at" timestamptz not null default now(), "version" int not null default 1, constraint "loan_product_pkey" primary key ("id"));`);
    this.addSql(`alter table "loan_product" add constraint "loan_product_name_unique" unique ("name");`);

    this.addSql(`create table "loan" ("id" uuid not null, "customer_id" uuid not null, "product_id" uuid not null, "principal" numeric(24,6) not null, "currency_code" varchar(3) not null, "annual_interest_rate" numeric(12,6) not null, "number_of_repayments" int not null, "repayment_every" int not null, "repayment_frequency_type" text check ("repayment_frequency_type" in ('DAYS', 'WEEKS', 'MONTHS')) not null, "purpose" varchar(500) null, "status" text check ("status" in ('SUBMITTED', 'APPROVED', 'ACTIVE', 'CLOSED_OBLIGATIONS_MET', 'WRITTEN_OFF', 'REJECTED', 'DECLINED', 'WITHDRAWN', 'EXPIRED')) not null default 'SUBMITTED', "stage" text check ("stage" in ('APPLICATION', 'KYC_REVIEW', 'RISK_ASSESSMENT', 'DISCUSSION', 'APPROVAL', 'AGREEMENT', 'ACTIVATION', 'REPAYMENT', 'CLOSED', 'REJECTED', 'DECLINED', 'WITHDRAWN', 'EXPIRED')) not null default 'APPLICATION', "workflow_id" varchar(100) not null, "workflow_run_id" varchar(100) null, "submitted_at" timestamptz not null default now(), "closed_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "version" int not null default 1, constraint "loan_pkey" primary key ("id"));`);
    this.addSql(`create index "loan_status_index" on "loan" ("status");`);
    this.addSql(`create index "loan_customer_id_created_at_index" on "loan" ("customer_id", "created_at");`);
    this.addSql(`create index "loan_created_at_id_index" on "loan" ("created_at", "id");`);

    this.addSql(`create table "loan_event" ("id" bigserial primary key, "loan_id" uuid not null, "request_id" varchar(100) not null, "action" varchar(64) not null, "from_stage" text check ("from_stage" in ('APPLICATION', 'KYC_REVIEW', 'RISK_ASSESSMENT', 'DISCUSSION', 'APPROVAL', 'AGREEMENT', 'ACTIVATION', 'REPAYMENT', 'CLOSED', 'REJECTED', 'DECLINED', 'WITHDRAWN', 'EXPIRED')) null, "to_stage" text check ("to_stage" in ('APPLICATION', 'KYC_REVIEW', 'RISK_ASSESSMENT', 'DISCUSSION', 'APPROVAL', 'AGREEMENT', 'ACTIVATION', 'REPAYMENT', 'CLOSED', 'REJECTED', 'DECLINED', 'WITHDRAWN', 'EXPIRED')) not null, "from_status" text check ("from_status" in ('SUBMITTED', 'APPROVED', 'ACTIVE', 'CLOSED_OBLIGATIONS_MET', 'WRITTEN_OFF', 'REJECTED', 'DECLINED', 'WITHDRAWN', 'EXPIRED')) null, "to_status" text check ("to_status" in ('SUBMITTED', 'APPROVED', 'ACTIVE', 'CLOSED_OBLIGATIONS_MET', 'WRITTEN_OFF', 'REJECTED', 'DECLINED', 'WITHDRAWN', 'EXPIRED')) not null, "actor" varchar(100) not null, "actor_role" varchar(32) not null, "reason" varchar(500) null, "occurred_at" timestamptz not null default now());`);
    this.addSql(`create index "loan_event_loan_id_occurred_at_index" on "loan_event" ("loan_id", "occurred_at");`);
    this.addSql(`alter table "loan_event" add constraint "loan_event_loan_id_request_id_unique" unique ("loan_id", "request_id");`);

    this.addSql(`alter table "loan" add constraint "loan_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade;`);
    this.addSql(`alter table "loan" add constraint "loan_product_id_foreign" foreign key ("product_id") references "loan_product" ("id") on update cascade;`);

    this.addSql(`alter table "loan_event" add constraint "loan_event_loan_id_foreign" foreign key ("loan_id") references "loan" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "loan" drop constraint "loan_customer_id_foreign";`);

    this.addSql(`alter table "loan" drop constraint "loan_product_id_foreign";`);

    this.addSql(`alter table "loan_event" drop constraint "loan_event_loan_id_foreign";`);

    this.addSql(`drop table if exists "customer" cascade;`);

    this.addSql(`drop table if exists "loan_product" cascade;`);

    this.addSql(`drop table if exists "loan" cascade;`);

    this.addSql(`drop table if exists "loan_event" cascade;`);
  }

}
