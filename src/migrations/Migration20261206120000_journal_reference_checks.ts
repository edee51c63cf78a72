import { Migration } from '@mikro-orm/migrations';

/**
 * The journal's two foreign keys (a line's loan transaction, its GL account) become checks per insert
 * statement, in the trigger that already checks every statement's lines balance. A foreign key checks
 * each line on its own (a query and a row lock per line: close of business writes ~2,000 lines a chunk
 * of 1,000 loans, and the two keys were a fifth of its accrual statement); the statement's check is one
 * pass over its lines, and it is stricter: a line's transaction must be one of the line's own loan.
 *
 * What the keys also did stays: the parents a statement's lines name are held (KEY SHARE, as the keys'
 * checks hold them) until it commits, except transactions it wrote itself (nobody else sees those
 * until then), and a loan transaction or GL account that lines name can be neither deleted nor given
 * another id (a trigger on each; the keys' "no action"). A line names nothing that does not exist.
 */
export class Migration20261206120000_journal_reference_checks extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create or replace function journal_entry_balanced() returns trigger language plpgsql as $$
      declare unbalanced bigint; orphan bigint; others bigint[]; accounts int; held int;
      begin
        select loan_transaction_id into unbalanced from new_rows group by loan_transaction_id
          having sum(case when entry_type = 'DEBIT' then amount else -amount end) <> 0 limit 1;
        if unbalanced is not null then
          raise exception 'unbalanced journal entry for loan transaction %', unbalanced using errcode = '23514';
        end if;
        -- Every line's transaction, of its loan; those this database transaction did not write are held
        -- (nobody else sees the ones it wrote before it commits), and one deleted meanwhile is missing then.
        select min(n.loan_transaction_id) filter (where t.id is null), array_agg(t.id) filter (where t.xmin <> pg_current_xact_id()::xid)
          into orphan, others
          from (select distinct loan_transaction_id, loan_id from new_rows) n
          left join loan_transaction t on t.id = n.loan_transaction_id and t.loan_id = n.loan_id;
        if orphan is null and others is not null then
          select count(*) into held from (select 1 from loan_transaction t where t.id = any(others) for key share of t) x;
          if held < cardinality(others) then
            select o into orphan from unnest(others) o where not exists (select 1 from loan_transaction t where t.id = o) limit 1;
          end if;
        end if;
        if orphan is not null then
          raise exception 'journal entry names loan transaction %, which is not a transaction of its loan', orphan using errcode = '23503';
        end if;
        -- Every line's GL account, held; one that is missing (or was deleted meanwhile) is named.
        select count(distinct gl_account_id) into accounts from new_rows;
        select count(*) into held from (select 1 from gl_account g where g.id in (select gl_account_id from new_rows) for key share of g) x;
        if held < accounts then
          raise exception 'journal entry names GL account %, which does not exist',
            (select min(n.gl_account_id) from new_rows n where not exists (select 1 from gl_account g where g.id = n.gl_account_id)) using errcode = '23503';
        end if;
        return null;
      end $$;`);
    this.addSql(`create or replace function journal_entry_parent_kept() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' and new.id = old.id then return new; end if;
        if (tg_table_name = 'loan_transaction' and exists (select 1 from journal_entry j where j.loan_transaction_id = old.id))
           or (tg_table_name = 'gl_account' and exists (select 1 from journal_entry j where j.gl_account_id = old.id)) then
          raise exception '% % has journal entries: it cannot be deleted or given another id', tg_table_name, old.id using errcode = '23503';
        end if;
        return case when tg_op = 'DELETE' then old else new end;
      end $$;`);
    this.addSql(`create trigger "loan_transaction_journal_kept" before delete or update of id on "loan_transaction" for each row execute function journal_entry_parent_kept();`);
    this.addSql(`create trigger "gl_account_journal_kept" before delete or update of id on "gl_account" for each row execute function journal_entry_parent_kept();`);
    this.addSql(`alter table "journal_entry" drop constraint "journal_entry_loan_transaction_id_foreign";`);
    this.addSql(`alter table "journal_entry" drop constraint "journal_entry_gl_account_id_foreign";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_loan_transaction_id_foreign" foreign key ("loan_transaction_id") references "loan_transaction" ("id") on update cascade;`);
    this.addSql(`alter table "journal_entry" add constraint "journal_entry_gl_account_id_foreign" foreign key ("gl_account_id") references "gl_account" ("id") on update cascade;`);
    this.addSql(`drop trigger "gl_account_journal_kept" on "gl_account";`);
    this.addSql(`drop trigger "loan_transaction_journal_kept" on "loan_transaction";`);
    this.addSql(`drop function journal_entry_parent_kept();`);
    this.addSql(`create or replace function journal_entry_balanced() returns trigger language plpgsql as $$
      declare unbalanced bigint;
      begin
        select loan_transaction_id into unbalanced from new_rows group by loan_transaction_id
          having sum(case when entry_type = 'DEBIT' then amount else -amount end) <> 0 limit 1;
        if unbalanced is not null then
          raise exception 'unbalanced journal entry for loan transaction %', unbalanced using errcode = '23514';
        end if;
        return null;
      end $$;`);
  }

}
