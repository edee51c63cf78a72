import { Migration } from '@mikro-orm/migrations';

/**
 * Drops `outbox_event (aggregate_type, aggregate_id, id)`: no query reads the outbox by aggregate (the
 * relay reads unsent rows in id order, the purge sent rows by age, each through its own partial index),
 * and every event written paid an entry in it — close of business writes one message per loan a day.
 */
export class Migration20261206130000_outbox_aggregate_index extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index if exists "outbox_event_aggregate_type_aggregate_id_id_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "outbox_event_aggregate_type_aggregate_id_id_index" on "outbox_event" ("aggregate_type", "aggregate_id", "id");`);
  }

}
