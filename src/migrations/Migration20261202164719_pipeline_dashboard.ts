import { Migration } from '@mikro-orm/migrations';

/**
 * The pipeline dashboard's time per stage: for each stage change in the window, the change that entered
 * the stage it leaves is one index-only probe (loan_event is insert-only, so the visibility map holds).
 */
export class Migration20261202164719_pipeline_dashboard extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create index "loan_event_stage_entered_index" on "loan_event" ("loan_id", "to_stage", "occurred_at", "id") where "from_stage" is distinct from "to_stage";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "loan_event_stage_entered_index";`);
  }

}
