import { Migration } from '@mikro-orm/migrations';

/**
 * Security: app_user.token_version (immediate revocation of access tokens), security_event (failed
 * sign-ins, lockouts, token reuse, role changes) and rate_limit (the shared store of the rate
 * limiters with RATE_LIMIT_STORE=postgres).
 */
export class Migration20261202161915_security extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "rate_limit" ("key" varchar(255) not null, "points" int not null default 0, "expire" bigint null, constraint "rate_limit_pkey" primary key ("key"));`);
    this.addSql(`create index "rate_limit_expire_index" on "rate_limit" ("expire");`);

    this.addSql(`create table "security_event" ("id" bigserial primary key, "type" varchar(32) not null, "email" varchar(254) null, "user_id" uuid null, "actor_id" varchar(100) null, "ip" varchar(64) null, "reason" varchar(200) null, "data" jsonb null, "occurred_at" timestamptz not null default now());`);
    this.addSql(`create index "security_event_occurred_at_index" on "security_event" ("occurred_at");`);
    this.addSql(`create index "security_event_email_occurred_at_index" on "security_event" ("email", "occurred_at");`);

    this.addSql(`alter table "app_user" add column "token_version" int not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rate_limit" cascade;`);

    this.addSql(`drop table if exists "security_event" cascade;`);

    this.addSql(`alter table "app_user" drop column "token_version";`);
  }

}
