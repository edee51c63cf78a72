import { Migration } from '@mikro-orm/migrations';

/** The charge terms a loan stores for an overdue charge (as chargeTerms() in src/services/charge.service.ts writes them). */
const TERMS = `jsonb_build_object('name', m.name, 'amount', trim_scale(m.amount)::text, 'chargeTimeType', 'OVERDUE_INSTALLMENT',
  'chargeCalculationType', m.calculation, 'penalty', true, 'graceDays', m.grace_days, 'feeInterval', null)`;

/**
 * Overdue penalties become OVERDUE_INSTALLMENT charges (Fineract's model) instead of a product setting:
 * each product with a penalty gets a penalty charge with the same calculation and grace days, attached to
 * the product (and its current settings version) and to the stored terms of its loans, so close of business
 * keeps charging them. An installment already charged gets the loan_charge row close of business would
 * have written (same request id), so it is not charged again and the penalty is listed and waivable.
 * Then the product's penalty columns and loan_installment.penalty_applied_on go.
 */
export class Migration20261203063000_overdue_charges extends Migration {

  override async up(): Promise<void> {
    // Names are unique: a product name cut short, or taken by an existing charge, gets the product id's start.
    this.addSql(`
      create temporary table overdue_charge_map as
      select b.product_id, gen_random_uuid() as charge_id, b.amount, b.calculation, b.grace_days, b.currency_code,
             case when count(*) over (partition by b.name) > 1 or exists (select 1 from "charge" c where c.name = b.name)
                  then left(b.name, 89) || ' (' || left(b.product_id::text, 8) || ')' else b.name end as name
        from (select p.id as product_id, p.penalty_amount as amount, p.penalty_grace_days as grace_days, p.currency_code,
                     'Overdue penalty – ' || left(p.name, 82) as name,
                     case p.penalty_calculation_type when 'FLAT' then 'FLAT' when 'PERCENT_OF_OVERDUE_PRINCIPAL' then 'PERCENT_OF_AMOUNT'
                          else 'PERCENT_OF_AMOUNT_AND_INTEREST' end as calculation
                from "loan_product" p where p.penalty_calculation_type is not null and p.penalty_amount is not null) b;`);
    this.addSql(`
      insert into "charge" (id, name, charge_applies_to, charge_time_type, charge_calculation_type, penalty, amount, currency_code, grace_days, fee_interval, active, version)
      select charge_id, name, 'LOAN', 'OVERDUE_INSTALLMENT', calculation, true, amount, currency_code, grace_days, null, true, 1 from overdue_charge_map;`);
    this.addSql(`insert into "loan_product_charge" (product_id, charge_id) select product_id, charge_id from overdue_charge_map;`);
    this.addSql(`
      update "loan_product_settings_version" v set charges = v.charges || jsonb_build_array(${TERMS})
        from overdue_charge_map m, "loan_product" p
       where p.id = m.product_id and v.product_id = p.id and v.version = p.settings_version;`);
    this.addSql(`
      update "loan" l set schedule_settings = jsonb_set(l.schedule_settings, '{charges}', coalesce(l.schedule_settings->'charges', '[]'::jsonb) || jsonb_build_array(${TERMS}))
        from overdue_charge_map m
       where l.product_id = m.product_id and l.schedule_settings is not null;`);
    // Already charged once: the row for its first occurrence, with the amount of the PENALTY transaction that charged it.
    this.addSql(`
      insert into "loan_charge" (loan_id, charge_id, name, charge_time_type, charge_calculation_type, penalty, amount_or_percentage, amount,
                                 due_date, installment_number, request_id, created_by)
      select i.loan_id, m.charge_id, m.name, 'OVERDUE_INSTALLMENT', m.calculation, true, m.amount, coalesce(t.amount, 0),
             i.due_date + m.grace_days + 1, i.installment_number,
             'cob-charge-' || e.idx || '-' || i.installment_number || '-' || to_char(i.due_date + m.grace_days + 1, 'YYYY-MM-DD'), 'cob'
        from "loan_installment" i
        join "loan" l on l.id = i.loan_id
        join overdue_charge_map m on m.product_id = l.product_id
        cross join lateral (select x.idx from jsonb_array_elements(l.schedule_settings->'charges') with ordinality x(j, idx)
                             where x.j->>'name' = m.name and x.j->>'chargeTimeType' = 'OVERDUE_INSTALLMENT' limit 1) e
        left join "loan_transaction" t on t.loan_id = i.loan_id and t.request_id = 'cob-penalty-' || i.installment_number
       where i.penalty_applied_on is not null
      on conflict do nothing;`);
    this.addSql(`drop table overdue_charge_map;`);
    this.addSql(`alter table "loan_product" drop column "penalty_calculation_type", drop column "penalty_amount", drop column "penalty_grace_days";`);
    this.addSql(`alter table "loan_installment" drop column "penalty_applied_on";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "loan_product" add column "penalty_calculation_type" varchar(50) null, add column "penalty_amount" numeric(24,6) null,
      add column "penalty_grace_days" int not null default 0;`);
    this.addSql(`alter table "loan_installment" add column "penalty_applied_on" date null;`);
    // The product's first overdue penalty charge back as its setting; the first occurrence charged as the date applied.
    this.addSql(`
      update "loan_product" p set penalty_amount = c.amount, penalty_grace_days = c.grace_days,
             penalty_calculation_type = case c.charge_calculation_type when 'FLAT' then 'FLAT' when 'PERCENT_OF_AMOUNT' then 'PERCENT_OF_OVERDUE_PRINCIPAL'
                                        else 'PERCENT_OF_OVERDUE_PRINCIPAL_AND_INTEREST' end
        from (select distinct on (pc.product_id) pc.product_id, ch.* from "loan_product_charge" pc join "charge" ch on ch.id = pc.charge_id
               where ch.charge_time_type = 'OVERDUE_INSTALLMENT' and ch.penalty order by pc.product_id, pc.id) c
       where p.id = c.product_id;`);
    this.addSql(`
      update "loan_installment" i set penalty_applied_on = c.due_date - 1
        from (select loan_id, installment_number, min(due_date) as due_date from "loan_charge"
               where charge_time_type = 'OVERDUE_INSTALLMENT' and penalty and installment_number is not null group by 1, 2) c
       where i.loan_id = c.loan_id and i.installment_number = c.installment_number;`);
  }

}
