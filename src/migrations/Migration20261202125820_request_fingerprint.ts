import { Migration } from '@mikro-orm/migrations';

export class Migration20261202125820_request_fingerprint extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "loan_transaction" add column "request_fingerprint" varchar(64) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "loan_transaction" drop column "request_fingerprint";`);
  }

}
