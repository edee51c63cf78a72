import { Migration } from '@mikro-orm/migrations';

/**
 * loan_installment.applied_overdue_charges: the request ids of the one-time OVERDUE_INSTALLMENT charges
 * close of business applied to the installment (each also a loan_charge row with that request id). Close
 * of business skips a one-time charge whose key is here instead of probing loan_charge for it on every
 * date the installment stays overdue. Filled from the overdue charges already applied (a key is only
 * ever one of the loan's own loan_charge rows, so a key here always means "already charged").
 */
export class Migration20261203120000_applied_overdue_charges extends Migration {

  override async up(): Promise<void> {
    // A constant default: no table rewrite.
    this.addSql(`alter table "loan_installment" add column "applied_overdue_charges" text[] not null default '{}';`);
    // request_id = cob-charge-<charge ordinal>-<installment>-<YYYY-MM-DD>; one-time = the loan's charge at that ordinal has no feeInterval.
    this.addSql(`
      update "loan_installment" i set "applied_overdue_charges" = x.keys
        from (select lc.loan_id, lc.installment_number, array_agg(lc.request_id order by lc.id) as keys
                from "loan_charge" lc join "loan" l on l.id = lc.loan_id
               where lc.charge_time_type = 'OVERDUE_INSTALLMENT' and lc.request_id like 'cob-charge-%' and lc.installment_number is not null
                 and (l.schedule_settings->'charges'->(split_part(lc.request_id, '-', 3)::int - 1)->>'feeInterval') is null
               group by lc.loan_id, lc.installment_number) x
       where i.loan_id = x.loan_id and i.installment_number = x.installment_number;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "loan_installment" drop column "applied_overdue_charges";`);
  }

}
