/**
 * The staff pipeline dashboard: where loans are, how long they stay, what waits for approval, money out
 * and in per business day, and portfolio quality (PAR, arrears by delinquency bucket). Every figure is
 * one set-based SQL aggregate over the projection (loan, loan_event, loan_installment,
 * loan_transaction); money leaves PostgreSQL as text and becomes Decimal here.
 */
import { addDays, compareDates, daysBetween, requireLocalDate, type LocalDate } from '../domain/dates';
import { ValidationError } from '../domain/errors';
import { LOAN_STAGES, type LoanStage } from '../domain/loan-lifecycle';
import { Decimal } from '../domain/money';
import { APPROVAL_LEVELS, type ApprovalLevel } from '../domain/origination';
import { currentBusinessDate } from './business-date.service';
import type { ServiceContext } from './context';
import { sql } from './sql';

/** The days-past-due thresholds of portfolio at risk. */
export const PAR_THRESHOLDS = [1, 30, 60, 90] as const;
/** Longest window of the per-day series and stage durations. */
export const MAX_DASHBOARD_DAYS = 366;
const DEFAULT_DAYS = 30;
const RATIO_PLACES = 6;

export interface StageCount { stage: LoanStage; loans: number; principal: Decimal }
export interface StageDuration { stage: LoanStage; stays: number; medianSeconds: number; p90Seconds: number }
export interface ApprovalsWaiting { level: ApprovalLevel; loans: number; principal: Decimal }
export interface DashboardDay { date: LocalDate; disbursed: Decimal; disbursements: number; collected: Decimal; collections: number }
export interface PortfolioAtRisk { daysPastDue: number; loans: number; outstandingPrincipal: Decimal; ratio: Decimal }
export interface ArrearsBucket { classification: string; minimumAgeDays: number; maximumAgeDays: number | null; loans: number; outstandingPrincipal: Decimal; overdueAmount: Decimal }

export interface PipelineDashboard {
  currencyCode: string;
  from: LocalDate;
  to: LocalDate;
  businessDate: LocalDate;
  stages: StageCount[];
  stageDurations: StageDuration[];
  approvalsWaiting: ApprovalsWaiting[];
  daily: DashboardDay[];
  activeLoans: number;
  outstandingPrincipal: Decimal;
  portfolioAtRisk: PortfolioAtRisk[];
  arrears: ArrearsBucket[];
}

export interface DashboardWindow { currencyCode: string; from?: string | null; to?: string | null }

function resolveWindow(w: DashboardWindow, businessDate: LocalDate): { from: LocalDate; to: LocalDate; currencyCode: string } {
  if (!/^[A-Z]{3}$/.test(w.currencyCode)) throw new ValidationError('currencyCode', 'must be a three-letter ISO 4217 code, e.g. USD');
  const to = w.to == null ? businessDate : requireLocalDate('to', w.to);
  const from = w.from == null ? addDays(to, -(DEFAULT_DAYS - 1)) : requireLocalDate('from', w.from);
  if (compareDates(from, to) > 0) throw new ValidationError('from', 'must not be after to');
  if (daysBetween(from, to) + 1 > MAX_DASHBOARD_DAYS) throw new ValidationError('from', `the window may span at most ${MAX_DASHBOARD_DAYS} days`);
  return { from, to, currencyCode: w.currencyCode };
}

const dec = (v: string | null | undefined) => new Decimal(v ?? 0);

/** Current loans and principal per stage (every stage listed, zeros included). */
async function stageCounts(ctx: ServiceContext, currency: string): Promise<StageCount[]> {
  const rows = await sql<{ stage: LoanStage; loans: number; principal: string }>(ctx.em, `
    select s.stage, count(l.id)::int as loans, coalesce(sum(l.principal), 0)::text as principal
      from unnest(?::text[]) with ordinality s(stage, ord)
      left join loan l on l.stage = s.stage and l.currency_code = ?
     group by s.stage, s.ord order by s.ord`, [[...LOAN_STAGES], currency]);
  return rows.map((r) => ({ stage: r.stage, loans: r.loans, principal: dec(r.principal) }));
}

/**
 * Time spent per stage: every stay that ENDED (the loan moved to another stage) between from and to
 * (UTC calendar days of the transition), from the loan_event that entered the stage to the one that
 * left it. Only stage changes count (an approval that keeps the loan in APPROVAL is not a new stay).
 */
async function stageDurations(ctx: ServiceContext, currency: string, from: LocalDate, to: LocalDate): Promise<StageDuration[]> {
  const rows = await sql<{ stage: LoanStage; stays: number; median: number; p90: number }>(ctx.em, `
    select lv.from_stage as stage, count(*)::int as stays,
           percentile_cont(0.5) within group (order by extract(epoch from lv.occurred_at - en.occurred_at))::float8 as median,
           percentile_cont(0.9) within group (order by extract(epoch from lv.occurred_at - en.occurred_at))::float8 as p90
      from loan_event lv
      join loan l on l.id = lv.loan_id and l.currency_code = ?
      cross join lateral (
        select p.occurred_at from loan_event p
         where p.loan_id = lv.loan_id and p.to_stage = lv.from_stage and p.from_stage is distinct from p.to_stage
           and (p.occurred_at, p.id) < (lv.occurred_at, lv.id)
         order by p.occurred_at desc, p.id desc limit 1) en
     where lv.occurred_at >= (?::date)::timestamp at time zone 'UTC' and lv.occurred_at < (?::date + 1)::timestamp at time zone 'UTC'
       and lv.from_stage is not null and lv.from_stage <> lv.to_stage
     group by lv.from_stage`, [currency, from, to]);
  const order = new Map(LOAN_STAGES.map((s, i) => [s, i]));
  return rows
    .map((r) => ({ stage: r.stage, stays: r.stays, medianSeconds: r.median, p90Seconds: r.p90 }))
    .sort((a, b) => order.get(a.stage)! - order.get(b.stage)!);
}

/**
 * Loans in APPROVAL by the level they wait for: the first of the risk result's required levels
 * (INTERNAL when there is none) that no approval covers yet — the same rule as pendingApprovals().
 */
async function approvalsWaiting(ctx: ServiceContext, currency: string): Promise<ApprovalsWaiting[]> {
  const rows = await sql<{ level: ApprovalLevel; loans: number; principal: string }>(ctx.em, `
    select lv.level, count(w.id)::int as loans, coalesce(sum(w.principal), 0)::text as principal
      from unnest(?::text[]) with ordinality lv(level, ord)
      left join (
        select l.id, l.principal, n.level from loan l
         cross join lateral (
           select r.level from jsonb_array_elements_text(coalesce(l.origination->'risk'->'requiredApprovals', '["INTERNAL"]'::jsonb)) with ordinality r(level, ord)
            where not exists (select 1 from jsonb_array_elements(coalesce(l.origination->'approvals', '[]'::jsonb)) a where a->>'level' = r.level)
            order by r.ord limit 1) n
         where l.stage = 'APPROVAL' and l.currency_code = ?) w on w.level = lv.level
     group by lv.level, lv.ord order by lv.ord`, [[...APPROVAL_LEVELS], currency]);
  return rows.map((r) => ({ level: r.level, loans: r.loans, principal: dec(r.principal) }));
}

/** Disbursed (DISBURSEMENT) and collected (REPAYMENT + RECOVERY) per business date, reversals excluded; every day listed. */
async function daily(ctx: ServiceContext, currency: string, from: LocalDate, to: LocalDate): Promise<DashboardDay[]> {
  const rows = await sql<{ date: string; disbursed: string; disbursements: number; collected: string; collections: number }>(ctx.em, `
    select d::date::text as date,
           coalesce(sum(t.amount) filter (where t.type = 'DISBURSEMENT'), 0)::text as disbursed,
           count(t.id) filter (where t.type = 'DISBURSEMENT')::int as disbursements,
           coalesce(sum(t.amount) filter (where t.type in ('REPAYMENT', 'RECOVERY')), 0)::text as collected,
           count(t.id) filter (where t.type in ('REPAYMENT', 'RECOVERY'))::int as collections
      from generate_series(?::date, ?::date, interval '1 day') d
      left join (select t.id, t.type, t.amount, t.transaction_date from loan_transaction t join loan l on l.id = t.loan_id
                  where t.transaction_date between ?::date and ?::date and t.type in ('DISBURSEMENT', 'REPAYMENT', 'RECOVERY')
                    and not t.reversed and l.currency_code = ?) t on t.transaction_date = d::date
     group by d order by d`, [from, to, from, to, currency]);
  return rows.map((r) => ({ date: r.date, disbursed: dec(r.disbursed), disbursements: r.disbursements, collected: dec(r.collected), collections: r.collections }));
}

const ratio = (part: Decimal, whole: Decimal) => (whole.isZero() ? new Decimal(0) : part.div(whole).toDecimalPlaces(RATIO_PLACES));

/**
 * Outstanding principal of ACTIVE loans (scheduled principal not yet paid), PAR N (share of it on
 * loans N or more days past due) and arrears per delinquency range, in one statement: the book is
 * first summed per (delinquency class, days past due) — a few hundred groups at most — and PAR and
 * the ranges are sums of those. Days past due, the class and the overdue amount are what close of
 * business last wrote on the loan.
 */
async function portfolio(ctx: ServiceContext, currency: string): Promise<Pick<PipelineDashboard, 'activeLoans' | 'outstandingPrincipal' | 'portfolioAtRisk' | 'arrears'>> {
  const rows = await sql<{ kind: 'TOTAL' | 'PAR' | 'RANGE'; key: string | null; min: number | null; max: number | null; loans: number; principal: string; overdue: string }>(ctx.em, `
    with owed as (
      select coalesce(l.delinquency_class, '') as cls, l.days_past_due as dpd, sum(i.principal_due - i.principal_paid) as principal
        from loan_installment i join loan l on l.id = i.loan_id
       where not i.completed and l.status = 'ACTIVE' and l.currency_code = ?
       group by 1, 2),
    book as materialized (
      select b.cls, b.dpd, b.loans, b.overdue, coalesce(o.principal, 0) as principal
        from (select coalesce(delinquency_class, '') as cls, days_past_due as dpd, count(*) as loans, sum(overdue_amount) as overdue
                from loan where status = 'ACTIVE' and currency_code = ? group by 1, 2) b
        left join owed o on o.cls = b.cls and o.dpd = b.dpd)
    select 'TOTAL' as kind, null as key, null::int as min, null::int as max,
           coalesce(sum(loans), 0)::int as loans, coalesce(sum(principal), 0)::text as principal, coalesce(sum(overdue), 0)::text as overdue
      from book
    union all
    select 'PAR', n::text, n, null, coalesce(sum(b.loans), 0)::int, coalesce(sum(b.principal), 0)::text, coalesce(sum(b.overdue), 0)::text
      from unnest(?::int[]) n left join book b on b.dpd >= n group by n
    union all
    select 'RANGE', r.classification, r.minimum_age_days, r.maximum_age_days,
           coalesce(sum(b.loans), 0)::int, coalesce(sum(b.principal), 0)::text, coalesce(sum(b.overdue), 0)::text
      from delinquency_range r left join book b on b.cls = r.classification
     group by r.id, r.classification, r.minimum_age_days, r.maximum_age_days`, [currency, currency, [...PAR_THRESHOLDS]]);
  const total = rows.find((r) => r.kind === 'TOTAL')!;
  const outstanding = dec(total.principal);
  return {
    activeLoans: total.loans,
    outstandingPrincipal: outstanding,
    portfolioAtRisk: rows.filter((r) => r.kind === 'PAR').sort((a, b) => a.min! - b.min!).map((r) => {
      const atRisk = dec(r.principal);
      return { daysPastDue: r.min!, loans: r.loans, outstandingPrincipal: atRisk, ratio: ratio(atRisk, outstanding) };
    }),
    arrears: rows.filter((r) => r.kind === 'RANGE').sort((a, b) => a.min! - b.min!).map((r) => ({
      classification: r.key!, minimumAgeDays: r.min!, maximumAgeDays: r.max, loans: r.loans,
      outstandingPrincipal: dec(r.principal), overdueAmount: dec(r.overdue),
    })),
  };
}

export async function pipelineDashboard(ctx: ServiceContext, window: DashboardWindow): Promise<PipelineDashboard> {
  const businessDate = await currentBusinessDate(ctx.em);
  const { from, to, currencyCode } = resolveWindow(window, businessDate);
  // Independent read-only aggregates: run side by side on separate pool connections.
  const [stages, durations, approvals, days, book] = await Promise.all([
    stageCounts(ctx, currencyCode), stageDurations(ctx, currencyCode, from, to), approvalsWaiting(ctx, currencyCode),
    daily(ctx, currencyCode, from, to), portfolio(ctx, currencyCode),
  ]);
  return { currencyCode, from, to, businessDate, stages, stageDurations: durations, approvalsWaiting: approvals, daily: days, ...book };
}
