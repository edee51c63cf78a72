import { Migration } from '@mikro-orm/migrations';

/** Transactional outbox, event type switches, and notifications (inbox, deliveries, preferences, templates). */
export class Migration20261123101500_events extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "outbox_event" ("id" bigserial primary key, "source" varchar(100) not null, "type" varchar(64) not null, "category" varchar(32) not null, "aggregate_type" varchar(64) not null, "aggregate_id" varchar(100) not null, "idempotency_key" varchar(200) not null, "data_schema" varchar(200) not null, "payload" jsonb not null, "business_date" date null, "created_at" timestamptz not null default now(), "sent_at" timestamptz null);`);
    this.addSql(`alter table "outbox_event" add constraint "outbox_event_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "outbox_event_aggregate_type_aggregate_id_id_index" on "outbox_event" ("aggregate_type", "aggregate_id", "id");`);
    // The relay's scan (unsent rows in id order) and the purge (old sent rows) each get a partial index.
    this.addSql(`create index "outbox_event_unsent_index" on "outbox_event" ("id") where "sent_at" is null;`);
    this.addSql(`create index "outbox_event_sent_at_index" on "outbox_event" ("sent_at") where "sent_at" is not null;`);

    this.addSql(`create table "event_type_setting" ("type" varchar(64) not null, "enabled" boolean not null, "updated_by" varchar(100) not null, "updated_at" timestamptz not null default now(), constraint "event_type_setting_pkey" primary key ("type"));`);

    this.addSql(`create table "notification" ("id" uuid not null, "user_id" uuid not null, "event_key" varchar(200) not null, "event_type" varchar(64) not null, "loan_id" uuid null, "title" varchar(200) not null, "body" text not null, "read_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "notification_pkey" primary key ("id"));`);
    this.addSql(`alter table "notification" add constraint "notification_user_id_event_key_unique" unique ("user_id", "event_key");`);
    this.addSql(`create index "notification_user_id_created_at_index" on "notification" ("user_id", "created_at");`);
    this.addSql(`alter table "notification" add constraint "notification_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "notification_delivery" ("id" bigserial primary key, "idempotency_key" varchar(300) not null, "user_id" uuid not null, "channel" varchar(16) not null, "event_type" varchar(64) not null, "recipient" varchar(254) not null, "subject" varchar(200) not null, "body" text not null, "status" varchar(16) not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz not null default now(), "last_error" varchar(500) null, "sent_at" timestamptz null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "notification_delivery" add constraint "notification_delivery_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "notification_delivery_status_next_attempt_at_index" on "notification_delivery" ("status", "next_attempt_at");`);

    this.addSql(`create table "notification_preference" ("user_id" uuid not null, "event_type" varchar(64) not null, "channels" text[] not null, "updated_at" timestamptz not null default now(), constraint "notification_preference_pkey" primary key ("user_id", "event_type"));`);

    this.addSql(`create table "notification_template" ("event_type" varchar(64) not null, "channel" varchar(16) not null, "subject" varchar(200) not null, "body" text not null, "updated_at" timestamptz not null default now(), constraint "notification_template_pkey" primary key ("event_type", "channel"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "notification_template" cascade;`);
    this.addSql(`drop table if exists "notification_preference" cascade;`);
    this.addSql(`drop table if exists "notification_delivery" cascade;`);
    this.addSql(`drop table if exists "notification" cascade;`);
    this.addSql(`drop table if exists "event_type_setting" cascade;`);
    this.addSql(`drop table if exists "outbox_event" cascade;`);
  }

}
