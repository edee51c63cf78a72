import { Migration } from '@mikro-orm/migrations';

/**
 * Per-installment shares of loan charges (Fineract's m_loan_installment_charge, as jsonb on loan_charge),
 * so one installment's part of an installment fee can be waived; and the part of a repayment's fee
 * portion that settled fees receivable, so a reversal can undo and replay exactly what was posted.
 * Existing loans get both filled: shares recomputed as the schedule computes them (flat, or a percent of
 * the installment's principal / interest / both, in the loan's digits), the receivable part read back
 * from each repayment's journal lines (reversals of such loans were refused until now, so those lines
 * are all there is).
 */
export class Migration20261203064000_installment_charges extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "loan_charge" add column "installment_charges" jsonb null;`);
    this.addSql(`alter table "loan_transaction" add column "fee_receivable_portion" numeric(24,6) not null default 0;`);

    // A dated charge, or an overdue charge close of business applied (Migration20261203063000 wrote those
    // already charged), lies on one installment.
    this.addSql(`
      update "loan_charge" set "installment_charges" = jsonb_build_array(jsonb_build_object(
          'installmentNumber', "installment_number", 'amount', trim_scale("amount")::text,
          'amountWaived', trim_scale("amount_waived")::text, 'waived', "waived"))
       where "charge_time_type" in ('SPECIFIED_DUE_DATE', 'OVERDUE_INSTALLMENT') and "installment_number" is not null;`);
    // money() of the schedule engine: multiples (ties up) for 0-digit currencies, then HALF_EVEN.
    this.addSql(`
      update "loan_charge" lc set "installment_charges" = parts.items
        from (
          select c.id, jsonb_agg(jsonb_build_object('installmentNumber', i.installment_number, 'amount', trim_scale(x.amount)::text,
                   'amountWaived', '0', 'waived', false) order by i.installment_number) as items
            from "loan_charge" c
            join "loan" l on l.id = c.loan_id
            join "loan_product" p on p.id = l.product_id
            join "loan_installment" i on i.loan_id = c.loan_id
            cross join lateral (select coalesce((l.schedule_settings->>'digitsAfterDecimal')::int, p.digits_after_decimal) as d,
                                       coalesce((l.schedule_settings->>'inMultiplesOf')::int, 0) as m) s
            cross join lateral (select case c.charge_calculation_type
                                  when 'FLAT' then c.amount_or_percentage
                                  when 'PERCENT_OF_AMOUNT' then i.principal_due * c.amount_or_percentage / 100
                                  when 'PERCENT_OF_INTEREST' then i.interest_due * c.amount_or_percentage / 100
                                  else (i.principal_due + i.interest_due) * c.amount_or_percentage / 100 end as raw) r
            cross join lateral (select round_half_even(case when s.m > 0 and s.d = 0 and r.raw > 0 then
                                  case when ceil(r.raw / s.m) * s.m - r.raw > r.raw - floor(r.raw / s.m) * s.m
                                       then floor(r.raw / s.m) * s.m else ceil(r.raw / s.m) * s.m end
                                  else r.raw end, s.d) as amount) x
           where c.charge_time_type = 'INSTALLMENT_FEE' and x.amount > 0
           group by c.id) parts
       where lc.id = parts.id;`);

    this.addSql(`
      update "loan_transaction" t set "fee_receivable_portion" = j.amount
        from (select e.loan_transaction_id, sum(e.amount) as amount
                from "journal_entry" e
                join "gl_account" a on a.id = e.gl_account_id
                join "loan" l on l.id = e.loan_id
                join "loan_product" p on p.id = l.product_id
               where e.entry_type = 'CREDIT' and a.code = coalesce(p.gl_mapping->>'FEES_RECEIVABLE', '1210')
               group by e.loan_transaction_id) j
       where t.id = j.loan_transaction_id and t.type = 'REPAYMENT';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "loan_transaction" drop column "fee_receivable_portion";`);
    this.addSql(`alter table "loan_charge" drop column "installment_charges";`);
  }

}
