import { Migration } from '@mikro-orm/migrations';

/**
 * Payment types (Fineract's m_payment_type) as an ADMIN-managed list keyed by code. Seeded with the
 * common channels and with every payment type repayments already carry, so a code that was accepted
 * before keeps working. REVERSAL rows are left out: their payment_type column holds the reason.
 */
export class Migration20261203065000_payment_types extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "payment_type" ("code" varchar(40) not null, "name" varchar(100) not null, "description" varchar(500) null,
      "is_cash_payment" boolean not null default false, "position" int not null default 0, "active" boolean not null default true,
      "created_by" varchar(100) not null, "updated_by" varchar(100) not null, "created_at" timestamptz not null default now(),
      "updated_at" timestamptz not null default now(), "version" int not null default 1, constraint "payment_type_pkey" primary key ("code"));`);
    this.addSql(`insert into "payment_type" ("code", "name", "description", "is_cash_payment", "position", "created_by", "updated_by") values
      ('CASH', 'Cash', 'Cash paid at a branch or to an agent', true, 1, 'system', 'system'),
      ('BANK_TRANSFER', 'Bank transfer', 'Credit transfer to the lender''s bank account', false, 2, 'system', 'system'),
      ('MOBILE_MONEY', 'Mobile money', 'Mobile wallet payment', false, 3, 'system', 'system'),
      ('CHEQUE', 'Cheque', null, false, 4, 'system', 'system');`);
    this.addSql(`
      insert into "payment_type" ("code", "name", "description", "position", "created_by", "updated_by")
      select t.payment_type, t.payment_type, 'Found on existing transactions when payment types became a list', 100, 'system', 'system'
        from (select distinct payment_type from "loan_transaction" where payment_type is not null and type <> 'REVERSAL') t
      on conflict ("code") do nothing;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_type" cascade;`);
  }

}
