import { Migration } from '@mikro-orm/migrations';

/**
 * A running close-of-business chunk holds its loans with one row (an id range and the business date)
 * instead of one loan_account_lock row per loan: per chunk of 1,000 loans that was 1,000 inserts, each
 * with its foreign-key check, and 1,000 deletes — 15–20 ms of a chunk's ~215 (README, COB). Failed
 * loans still keep a loan_account_lock row with their error.
 */
export class Migration20261204120000_cob_chunk_lock extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "cob_chunk_lock" ("id" serial primary key, "owner" varchar(100) not null, "business_date" date not null, "from_loan_id" uuid not null, "to_loan_id" uuid not null, "locked_at" timestamptz not null default now());`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "cob_chunk_lock" cascade;`);
  }

}
