/**
 * The general ledger: posts a loan transaction's journal lines (one INSERT, so the database's
 * statement-level balance trigger sees the whole entry) and answers trial balance and statements.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError, ValidationError } from '../domain/errors';
import { GL_ACCOUNT_TYPES, glCode, type GlAccountType, type GlRole, type JournalLine } from '../domain/ledger';
import { Decimal } from '../domain/money';
import { requireLocalDate } from '../domain/dates';
import { GlAccount } from '../entities';
import { actingAs } from './authorization';
import { sql } from './sql';
import type { ServiceContext } from './context';

export interface PostingTarget {
  loanTransactionId: string;
  loanId: string;
  currencyCode: string;
  businessDate: string;
  glMapping?: Partial<Record<GlRole, string>> | null;
}

/**
 * Writes the lines in one statement, their GL accounts looked up by code in the same statement; the
 * trigger refuses the statement if they do not balance. A code with no account writes nothing and is
 * a ValidationError naming it.
 */
export async function postJournal(em: EntityManager, target: PostingTarget, lines: JournalLine[]): Promise<void> {
  if (lines.length === 0) return;
  const values: unknown[] = [];
  const rows = lines.map((l) => {
    values.push(target.loanTransactionId, target.loanId, glCode(target.glMapping, l.role), l.entryType, l.amount.toFixed(), target.currencyCode, target.businessDate);
    return '(?::bigint, ?::uuid, ?::text, ?::text, ?::numeric, ?::text, ?::date)';
  });
  const written = await sql(em, `
    with line(loan_transaction_id, loan_id, code, entry_type, amount, currency_code, business_date) as (values ${rows.join(', ')}),
         mapped as (select line.*, g.id as gl_account_id from line left join gl_account g on g.code = line.code)
    insert into journal_entry (loan_transaction_id, loan_id, gl_account_id, entry_type, amount, currency_code, business_date)
    select loan_transaction_id, loan_id, gl_account_id, entry_type, amount, currency_code, business_date from mapped
     where not exists (select 1 from mapped where gl_account_id is null)
    returning 1`, values);
  if (written.length === lines.length) return;
  const codes = [...new Set(lines.map((l) => glCode(target.glMapping, l.role)))];
  const known = new Set((await sql<{ code: string }>(em, `select code from gl_account where code = any(?::text[])`, [codes])).map((r) => r.code));
  const missing = lines.find((l) => !known.has(glCode(target.glMapping, l.role)))!;
  throw new ValidationError('glMapping', `no GL account with code ${glCode(target.glMapping, missing.role)} for ${missing.role}`);
}

export interface TrialBalanceRow {
  code: string;
  name: string;
  type: string;
  debits: Decimal;
  credits: Decimal;
  /** Debits minus credits. */
  balance: Decimal;
}

export interface TrialBalance {
  asOf: string | null;
  rows: TrialBalanceRow[];
  totalDebits: Decimal;
  totalCredits: Decimal;
}

const LEDGER_ROLES = ['ADMIN', 'MANAGER', 'RISK_MANAGER', 'LOAN_OFFICER', 'SYSTEM'];

/** Every account with its debits and credits up to `asOf` (business date, inclusive). */
export async function trialBalance(ctx: ServiceContext, asOf?: string | null): Promise<TrialBalance> {
  actingAs(ctx.actor, LEDGER_ROLES);
  const date = asOf ? requireLocalDate('asOf', asOf) : null;
  const rows: { code: string; name: string; type: string; debits: string; credits: string }[] = await sql(
    ctx.em,
    `select a.code, a.name, a.type,
            coalesce(sum(e.amount) filter (where e.entry_type = 'DEBIT'), 0)::text as debits,
            coalesce(sum(e.amount) filter (where e.entry_type = 'CREDIT'), 0)::text as credits
       from gl_account a left join journal_entry e on e.gl_account_id = a.id and (?::date is null or e.business_date <= ?::date)
      group by a.id order by a.code`,
    [date, date],
  );
  const result = rows.map((r) => ({
    code: r.code, name: r.name, type: r.type, debits: new Decimal(r.debits), credits: new Decimal(r.credits),
    balance: new Decimal(r.debits).minus(r.credits),
  }));
  return {
    asOf: date,
    rows: result,
    totalDebits: result.reduce((a, r) => a.plus(r.debits), new Decimal(0)),
    totalCredits: result.reduce((a, r) => a.plus(r.credits), new Decimal(0)),
  };
}

export interface StatementLine {
  id: string;
  businessDate: string;
  loanId: string;
  loanTransactionId: string;
  transactionType: string;
  entryType: string;
  amount: Decimal;
  /** Running balance (debits minus credits) after this line. */
  runningBalance: Decimal;
}

/** An account's lines between two business dates (inclusive), with opening and running balances. */
export async function glAccountStatement(ctx: ServiceContext, code: string, from: string, to: string, limit = 500) {
  actingAs(ctx.actor, LEDGER_ROLES);
  const fromDate = requireLocalDate('from', from);
  const toDate = requireLocalDate('to', to);
  if (fromDate > toDate) throw new ValidationError('to', 'must not be before from');
  if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new ValidationError('limit', 'must be between 1 and 5000');
  const account = await ctx.em.findOne(GlAccount, { code });
  if (!account) throw new ValidationError('code', `no GL account with code ${code}`);
  const [{ opening }] = await sql<{ opening: string }>(
    ctx.em,
    `select coalesce(sum(case when entry_type = 'DEBIT' then amount else -amount end), 0)::text as opening
       from journal_entry where gl_account_id = ? and business_date < ?`,
    [account.id, fromDate],
  );
  const rows: { id: string; business_date: string; loan_id: string; loan_transaction_id: string; type: string; entry_type: string; amount: string }[] =
    await sql(
      ctx.em,
      `select e.id::text, to_char(e.business_date, 'YYYY-MM-DD') as business_date, e.loan_id, e.loan_transaction_id::text, t.type, e.entry_type, e.amount::text
         from journal_entry e join loan_transaction t on t.id = e.loan_transaction_id
        where e.gl_account_id = ? and e.business_date between ? and ? order by e.business_date, e.id limit ?`,
      [account.id, fromDate, toDate, limit],
    );
  let running = new Decimal(opening);
  const lines: StatementLine[] = rows.map((r) => {
    const amount = new Decimal(r.amount);
    running = r.entry_type === 'DEBIT' ? running.plus(amount) : running.minus(amount);
    return {
      id: r.id, businessDate: r.business_date, loanId: r.loan_id, loanTransactionId: r.loan_transaction_id,
      transactionType: r.type, entryType: r.entry_type, amount, runningBalance: running,
    };
  });
  return { account, from: fromDate, to: toDate, openingBalance: new Decimal(opening), closingBalance: running, lines };
}

export async function listGlAccounts(ctx: ServiceContext): Promise<GlAccount[]> {
  actingAs(ctx.actor, LEDGER_ROLES);
  return ctx.em.find(GlAccount, {}, { orderBy: { code: 'asc' } });
}

/** Adds an account to the chart (ADMIN); codes are unique. */
export async function createGlAccount(ctx: ServiceContext, input: { code: string; name: string; type: string }): Promise<GlAccount> {
  actingAs(ctx.actor, ['ADMIN']);
  const code = (input.code ?? '').trim();
  if (!/^[0-9A-Za-z.-]{1,20}$/.test(code)) throw new ValidationError('input.code', 'must be 1 to 20 letters, digits, dots or dashes');
  const name = (input.name ?? '').trim();
  if (!name || name.length > 100) throw new ValidationError('input.name', 'must be 1 to 100 characters');
  if (!(GL_ACCOUNT_TYPES as readonly string[]).includes(input.type)) throw new ValidationError('input.type', `must be one of ${GL_ACCOUNT_TYPES.join(', ')}`);
  if (await ctx.em.count(GlAccount, { code })) throw new ConflictError(`A GL account with code ${code} exists`, 'input.code');
  const account = ctx.em.create(GlAccount, { code, name, type: input.type as GlAccountType });
  await ctx.em.flush();
  return account;
}
