import { Migration } from '@mikro-orm/migrations';

export class Migration20261202161257_product_settings extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "charge" ("id" uuid not null, "name" varchar(100) not null, "charge_applies_to" varchar(10) not null default 'LOAN', "charge_time_type" varchar(30) not null, "charge_calculation_type" varchar(40) not null, "penalty" boolean not null default false, "amount" numeric(24,6) not null, "currency_code" varchar(3) not null, "grace_days" int not null default 0, "fee_interval" int null, "active" boolean not null default true, "created_at" timestamptz not null default now(), "version" int not null default 1, constraint "charge_pkey" primary key ("id"));`);
    this.addSql(`alter table "charge" add constraint "charge_name_unique" unique ("name");`);

    this.addSql(`create table "holiday" ("id" uuid not null, "name" varchar(100) not null, "from_date" date not null, "to_date" date not null, "created_by" varchar(100) not null, "created_at" timestamptz not null default now(), constraint "holiday_pkey" primary key ("id"));`);

    this.addSql(`create table "loan_charge" ("id" bigserial primary key, "loan_id" uuid not null, "charge_id" uuid null, "name" varchar(100) not null, "charge_time_type" varchar(30) not null, "charge_calculation_type" varchar(40) not null, "penalty" boolean not null default false, "amount_or_percentage" numeric(24,6) not null, "amount" numeric(24,6) not null, "amount_waived" numeric(24,6) not null default 0, "waived" boolean not null default false, "due_date" date null, "installment_number" int null, "request_id" varchar(100) not null, "created_by" varchar(100) not null default 'system', "created_at" timestamptz not null default now());`);
    this.addSql(`create index "loan_charge_loan_id_index" on "loan_charge" ("loan_id");`);
    this.addSql(`alter table "loan_charge" add constraint "loan_charge_loan_id_request_id_unique" unique ("loan_id", "request_id");`);

    this.addSql(`create table "loan_product_charge" ("id" bigserial primary key, "product_id" uuid not null, "charge_id" uuid not null);`);
    this.addSql(`alter table "loan_product_charge" add constraint "loan_product_charge_product_id_charge_id_unique" unique ("product_id", "charge_id");`);

    this.addSql(`create table "loan_product_settings_version" ("id" bigserial primary key, "product_id" uuid not null, "version" int not null, "settings" jsonb not null, "allow_attribute_overrides" jsonb null, "charges" jsonb not null, "created_by" varchar(100) not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "loan_product_settings_version" add constraint "loan_product_settings_version_product_id_version_unique" unique ("product_id", "version");`);

    this.addSql(`create table "working_days" ("id" int not null default 1, "non_working_days" jsonb not null, "updated_at" timestamptz not null default now(), constraint "working_days_pkey" primary key ("id"));`);

    this.addSql(`alter table "loan_charge" add constraint "loan_charge_loan_id_foreign" foreign key ("loan_id") references "loan" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "loan_charge" add constraint "loan_charge_charge_id_foreign" foreign key ("charge_id") references "charge" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "loan_product_charge" add constraint "loan_product_charge_product_id_foreign" foreign key ("product_id") references "loan_product" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "loan_product_charge" add constraint "loan_product_charge_charge_id_foreign" foreign key ("charge_id") references "charge" ("id") on update cascade;`);

    this.addSql(`alter table "loan_product_settings_version" add constraint "loan_product_settings_version_product_id_foreign" foreign key ("product_id") references "loan_product" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "loan_product" add column "amortization_type" varchar(30) not null default 'EQUAL_INSTALLMENTS', add column "interest_type" varchar(30) not null default 'DECLINING_BALANCE', add column "interest_calculation_period_type" varchar(30) not null default 'DAILY', add column "days_in_year_type" varchar(20) not null default 'ACTUAL', add column "days_in_month_type" varchar(20) not null default 'ACTUAL', add column "grace_on_principal_payment" int not null default 0, add column "grace_on_interest_payment" int not null default 0, add column "grace_on_interest_charged" int not null default 0, add column "in_multiples_of" int not null default 0, add column "installment_amount_in_multiples_of" int null, add column "loan_schedule_type" varchar(20) not null default 'CUMULATIVE', add column "allow_partial_period_interest_calculation" boolean not null default false, add column "repayment_reschedule_type" varchar(40) not null default 'SAME_DAY', add column "allow_attribute_overrides" jsonb null, add column "settings_version" int not null default 1;`);

    this.addSql(`alter table "loan" add column "repayments_starting_from_date" date null, add column "setting_overrides" jsonb null, add column "schedule_settings" jsonb null;`);

    // Settings version 1 of every existing product, and the settings existing loans were drawn with (what
    // activation hard-coded before products carried them), so a later product change leaves them alone.
    this.addSql(`insert into "loan_product_settings_version" ("product_id", "version", "settings", "allow_attribute_overrides", "charges", "created_by")
      select p."id", 1, jsonb_build_object(
        'repaymentEvery', p."repayment_every", 'repaymentFrequencyType', p."repayment_frequency_type", 'amortizationType', 'EQUAL_INSTALLMENTS',
        'interestType', 'DECLINING_BALANCE', 'interestCalculationPeriodType', 'DAILY', 'daysInYearType', 'ACTUAL', 'daysInMonthType', 'ACTUAL',
        'graceOnPrincipalPayment', 0, 'graceOnInterestPayment', 0, 'graceOnInterestCharged', 0, 'inMultiplesOf', 0,
        'installmentAmountInMultiplesOf', null, 'loanScheduleType', 'CUMULATIVE', 'allowPartialPeriodInterestCalculation', false,
        'digitsAfterDecimal', p."digits_after_decimal", 'repaymentRescheduleType', 'SAME_DAY'), null, '[]'::jsonb, 'migration'
      from "loan_product" p;`);
    this.addSql(`update "loan" l set "schedule_settings" = v."settings" || jsonb_build_object('currencyCode', p."currency_code", 'productSettingsVersion', 1, 'charges', '[]'::jsonb)
      from "loan_product" p join "loan_product_settings_version" v on v."product_id" = p."id" and v."version" = 1
      where l."product_id" = p."id";`);

  }

  override async down(): Promise<void> {
    this.addSql(`alter table "loan_charge" drop constraint "loan_charge_charge_id_foreign";`);

    this.addSql(`alter table "loan_product_charge" drop constraint "loan_product_charge_charge_id_foreign";`);

    this.addSql(`drop table if exists "charge" cascade;`);

    this.addSql(`drop table if exists "holiday" cascade;`);

    this.addSql(`drop table if exists "loan_charge" cascade;`);

    this.addSql(`drop table if exists "loan_product_charge" cascade;`);

    this.addSql(`drop table if exists "loan_product_settings_version" cascade;`);

    this.addSql(`drop table if exists "working_days" cascade;`);

    this.addSql(`alter table "loan" drop column "repayments_starting_from_date", drop column "setting_overrides", drop column "schedule_settings";`);

    this.addSql(`alter table "loan_product" drop column "amortization_type", drop column "interest_type", drop column "interest_calculation_period_type", drop column "days_in_year_type", drop column "days_in_month_type", drop column "grace_on_principal_payment", drop column "grace_on_interest_payment", drop column "grace_on_interest_charged", drop column "in_multiples_of", drop column "installment_amount_in_multiples_of", drop column "loan_schedule_type", drop column "allow_partial_period_interest_calculation", drop column "repayment_reschedule_type", drop column "allow_attribute_overrides", drop column "settings_version";`);
  }

}
