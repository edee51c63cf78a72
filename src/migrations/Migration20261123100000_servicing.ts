import { Migration } from '@mikro-orm/migrations';

/**
 * Servicing, the double-entry ledger and close of business: paid/waived/accrued amounts per installment,
 * transaction portions, the chart of accounts with its journal (balanced per loan transaction, enforced
 * by a statement-level trigger and append-only), the business date, COB steps, runs and loan locks.
 */
export class Migration20261123100000_servicing extends Migration {
  override async up(): Promise<void> {
    // Banker's rounding in SQL, so set-based COB steps round exactly as src/domain/money.ts does.
    this.addSql(`create or replace function round_half_even(v numeric, s int) returns numeric language sql immutable strict as $$
      select case
        when abs(v * power(10::numeric, s) - trunc(v * power(10::numeric, s))) = 0.5
          then round(trunc(v * power(10::numeric, s)) / power(10::numeric, s)
               + case when mod(trunc(v * power(10::numeric, s)), 2) = 0 then 0 else sign(v) / power(10::numeric, s) end, s)
        else round(v, s)
      end $$;`);

    this.addSql(`alter table "loan_product"
      add column "accounting_rule" varchar(20) not null default 'CASH',
      add column "allocation_strategy" varchar(80) not null default 'PENALTIES_FEES_INTEREST_PRINCIPAL',
      add column "penalty_calculation_type" varchar(50) null,
      add column "penalty_amount" numeric(24,6) null,
      add column "penalty_grace_days" int not null default 0,
      add column "gl_mapping" jsonb null;`);

    this.addSql(`alter table "loan"
      add column "last_cob_date" date null,
      add column "days_past_due" int not null default 0,
      add column "delinquency_class" varchar(40) null,
      add column "next_due_date" date null,
      add column "next_due_amount" numeric(24,6) null,
      add column "overdue_amount" numeric(24,6) not null default 0,
      add column "credit_balance" numeric(24,6) not null default 0,
      add column "written_off_on" date null,
      add column "closed_on" date null;`);
    this.addSql(`create index "loan_status_id_index" on "loan" ("status", "id");`);

    this.addSql(`alter table "loan_installment"
      add column "principal_paid" numeric(24,6) not null default 0,
      add column "interest_paid" numeric(24,6) not null default 0,
      add column "fee_paid" numeric(24,6) not null default 0,
      add column "penalty_paid" numeric(24,6) not null default 0,
      add column "interest_waived" numeric(24,6) not null default 0,
      add column "fee_waived" numeric(24,6) not null default 0,
      add column "penalty_waived" numeric(24,6) not null default 0,
      add column "interest_accrued" numeric(24,6) not null default 0,
      add column "penalty_applied_on" date null,
      add column "completed" boolean not null default false;`);
    this.addSql(`create index "loan_installment_loan_id_due_date_index" on "loan_installment" ("loan_id", "due_date");`);

    this.addSql(`alter table "loan_transaction"
      add column "principal_portion" numeric(24,6) not null default 0,
      add column "interest_portion" numeric(24,6) not null default 0,
      add column "fee_portion" numeric(24,6) not null default 0,
      add column "penalty_portion" numeric(24,6) not null default 0,
      add column "overpayment_portion" numeric(24,6) not null default 0,
      add column "payment_type" varchar(40) null,
      add column "installment_number" int null,
      add column "reversed" boolean not null default false,
      add column "reversed_at" timestamptz null,
      add column "created_by" varchar(100) not null default 'system';`);
    this.addSql(`create index "loan_transaction_loan_id_transaction_date_index" on "loan_transaction" ("loan_id", "transaction_date");`);

    this.addSql(`create table "gl_account" ("id" serial primary key, "code" varchar(20) not null, "name" varchar(100) not null, "type" varchar(20) not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "gl_account" add constraint "gl_account_code_unique" unique ("code");`);
    this.addSql(`insert into "gl_account" ("code", "name", "type") values
      ('1000', 'Cash and fund source', 'ASSET'),
      ('1100', 'Loan portfolio', 'ASSET'),
      ('1200', 'Interest receivable', 'ASSET'),
      ('1210', 'Fees receivable', 'ASSET'),
      ('1220', 'Penalties receivable', 'ASSET'),
      ('2100', 'Overpayment liability', 'LIABILITY'),
      ('4000', 'Income from interest', 'INCOME'),
      ('4100', 'Income from fees', 'INCOME'),
      ('4200', 'Income from penalties', 'INCOME'),
      ('4300', 'Income from recovery repayments', 'INCOME'),
      ('5000', 'Losses written off', 'EXPENSE');`);

    this.addSql(`create table "journal_entry" ("id" bigserial primary key, "loan_transaction_id" bigint not null, "loan_id" uuid not null, "gl_account_id" int not null, "entry_type" text check ("entry_type" in ('DEBIT', 'CREDIT')) not null, "amount" numeric(24,6) not null, "currency_code" varchar(3) not null, "business_date" date not null, "created_at" timestamptz not null default now(), constraint "journal_entry_amount_positive" check ("amount" > 0));`);
    this.addSql(`create index "journal_entry_gl_account_id_business_date_index" on "journal_entry" ("gl_account_id", "business_date");`);
    this.addSql(`create index "journal_entry_loan_transaction_id_index" on "journal_entry" ("loan_transaction_id");`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_loan_transaction_id_foreign" foreign key ("loan_transaction_id") references "loan_transaction" ("id") on update cascade;`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_gl_account_id_foreign" foreign key ("gl_account_id") references "gl_account" ("id") on update cascade;`);
    // Debits equal credits for every loan transaction in every insert statement: the ledger refuses anything else.
    this.addSql(`create or replace function journal_entry_balanced() returns trigger language plpgsql as $$
      declare unbalanced bigint;
      begin
        select loan_transaction_id into unbalanced from new_rows group by loan_transaction_id
          having sum(case when entry_type = 'DEBIT' then amount else -amount end) <> 0 limit 1;
        if unbalanced is not null then
          raise exception 'unbalanced journal entry for loan transaction %', unbalanced using errcode = '23514';
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger "journal_entry_balanced" after insert on "journal_entry" referencing new table as new_rows for each statement execute function journal_entry_balanced();`);
    this.addSql(`create or replace function journal_entry_append_only() returns trigger language plpgsql as $$
      begin raise exception 'journal entries are append-only: post a reversal instead' using errcode = '23514'; end $$;`);
    this.addSql(`create trigger "journal_entry_append_only" before update or delete on "journal_entry" for each row execute function journal_entry_append_only();`);

    this.addSql(`create table "business_date" ("name" varchar(20) not null, "date" date not null, "updated_at" timestamptz not null default now(), constraint "business_date_pkey" primary key ("name"));`);
    this.addSql(`insert into "business_date" ("name", "date") values ('BUSINESS_DATE', current_date);`);

    this.addSql(`create table "cob_step" ("job_name" varchar(40) not null, "step_name" varchar(60) not null, "step_order" int not null, "enabled" boolean not null default true, constraint "cob_step_pkey" primary key ("job_name", "step_name"));`);
    this.addSql(`insert into "cob_step" ("job_name", "step_name", "step_order") values
      ('LOAN_CLOSE_OF_BUSINESS', 'APPLY_PENALTY_FOR_OVERDUE_LOANS', 1),
      ('LOAN_CLOSE_OF_BUSINESS', 'ADD_PERIODIC_ACCRUAL_ENTRIES', 2),
      ('LOAN_CLOSE_OF_BUSINESS', 'CHECK_LOAN_REPAYMENT_DUE', 3),
      ('LOAN_CLOSE_OF_BUSINESS', 'CHECK_LOAN_REPAYMENT_OVERDUE', 4),
      ('LOAN_CLOSE_OF_BUSINESS', 'LOAN_DELINQUENCY_CLASSIFICATION', 5),
      ('LOAN_CLOSE_OF_BUSINESS', 'CLOSE_FULLY_REPAID_LOANS', 6);`);

    this.addSql(`create table "cob_run" ("business_date" date not null, "status" varchar(30) not null, "workflow_id" varchar(100) not null, "started_at" timestamptz not null default now(), "finished_at" timestamptz null, "loans_processed" int not null default 0, "loans_failed" int not null default 0, "step_millis" jsonb null, constraint "cob_run_pkey" primary key ("business_date"));`);

    this.addSql(`create table "loan_account_lock" ("loan_id" uuid not null, "owner" varchar(100) not null, "business_date" date not null, "locked_at" timestamptz not null default now(), "error" text null, constraint "loan_account_lock_pkey" primary key ("loan_id"));`);
    this.addSql(`alter table "loan_account_lock" add constraint "loan_account_lock_loan_id_foreign" foreign key ("loan_id") references "loan" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "delinquency_range" ("id" serial primary key, "classification" varchar(40) not null, "minimum_age_days" int not null, "maximum_age_days" int null);`);
    this.addSql(`insert into "delinquency_range" ("classification", "minimum_age_days", "maximum_age_days") values
      ('RANGE_1_30', 1, 30), ('RANGE_31_60', 31, 60), ('RANGE_61_90', 61, 90), ('RANGE_90_PLUS', 91, null);`);
  }

  override async down(): Promise<void> {
    for (const t of ['delinquency_range', 'loan_account_lock', 'cob_run', 'cob_step', 'business_date', 'journal_entry', 'gl_account']) {
      this.addSql(`drop table if exists "${t}" cascade;`);
    }
    this.addSql(`drop function if exists journal_entry_balanced(); drop function if exists journal_entry_append_only(); drop function if exists round_half_even(numeric, int);`);
  }
}
