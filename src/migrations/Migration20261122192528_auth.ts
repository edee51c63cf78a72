import { Migration } from '@mikro-orm/migrations';

export class Migration20261122192528_auth extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "app_user" ("id" uuid not null, "email" varchar(254) not null, "password_hash" varchar(255) not null, "roles" text[] not null, "customer_id" uuid null, "active" boolean not null default true, "created_at" timestamptz not null default now(), "version" int not null default 1, constraint "app_user_pkey" primary key ("id"));`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email");`);

    this.addSql(`create table "refresh_token" ("id" uuid not null, "user_id" uuid not null, "token_hash" varchar(64) not null, "family_id" uuid not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null default now(), constraint "refresh_token_pkey" primary key ("id"));`);
    this.addSql(`alter table "refresh_token" add constraint "refresh_token_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "refresh_token_family_id_index" on "refresh_token" ("family_id");`);

    this.addSql(`alter table "app_user" add constraint "app_user_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "refresh_token" add constraint "refresh_token_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "refresh_token" drop constraint "refresh_token_user_id_foreign";`);

    this.addSql(`drop table if exists "app_user" cascade;`);

    this.addSql(`drop table if exists "refresh_token" cascade;`);
  }

}
