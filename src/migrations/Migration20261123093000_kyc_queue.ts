import { Migration } from '@mikro-orm/migrations';

/** The KYC queue: loans in KYC_REVIEW by reviewer (from the origination JSON), oldest first. */
export class Migration20261123093000_kyc_queue extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "loan_kyc_queue_index" on "loan" ((origination->>'kycReviewerId'), "created_at", "id") where "stage" = 'KYC_REVIEW';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "loan_kyc_queue_index";`);
  }
}
