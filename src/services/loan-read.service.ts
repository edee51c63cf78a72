import { wrap, type EntityDictionary, type EntityManager, type EntityName } from '@mikro-orm/postgresql';
import { payoffQuote, type PayoffQuote } from '../domain/accrual';
import { requireLocalDate } from '../domain/dates';
import { InvalidStageError } from '../domain/errors';
import type { Decimal } from '../domain/money';
import { Customer, Document, Loan, LoanEvent, LoanInstallment, LoanProduct, LoanTransaction } from '../entities';
import { DecimalType } from '../entities/decimal.type';
import { documentView, type DocumentView } from './document.service';
import { toDomainInstallment, type LoanBalances } from './servicing.service';
import { BUSINESS_DATE, businessDateExpr } from './business-date.service';
import { rawRowSets, rawRows } from './sql';

/**
 * The read path (GraphQL field resolvers through request-scoped DataLoaders, src/graphql/loaders.ts):
 * the rows of many loans in ONE statement each, as plain objects rather than managed entities. Reads
 * never change these rows, so they skip MikroORM's identity map, change-set snapshots and reference
 * wiring, which were most of the CPU of a loan read (see the README's read-path profile). Property
 * names and types are the entity's: money is Decimal (DecimalType), dates are strings, timestamps Date.
 */

/** An entity's row as a plain object: its properties, a many-to-one as the referenced id. */
export type Plain<T, R extends keyof T> = Omit<T, R> & { [K in R]: string };
export type InstallmentRow = Plain<LoanInstallment, 'loan'>;
export type TransactionRow = Plain<LoanTransaction, 'loan'>;
export type LoanEventRow = Plain<LoanEvent, 'loan'>;

const decimalProps = new Map<string, string[]>();
/** Money columns (pg gives numeric as text) as the entities have them: Decimal. */
const decimalColumn = new DecimalType();

/** A row of `entity`'s table as its properties (MikroORM's result mapper: names, dates, booleans), Decimal columns as Decimal. */
function plainRow<T extends object>(em: EntityManager, entity: EntityName<T>, raw: Record<string, unknown>): T {
  const meta = em.getMetadata().get<T>((entity as { name: string }).name);
  let decimals = decimalProps.get(meta.className);
  if (!decimals) {
    decimals = meta.props.filter((p) => p.customType instanceof DecimalType).map((p) => p.name as string);
    decimalProps.set(meta.className, decimals);
  }
  const row = em.getComparator().mapResult<T>(meta.className, raw as EntityDictionary<T>) as Record<string, unknown>;
  for (const name of decimals) {
    const v = row[name] as string | null | undefined;
    if (v !== undefined) row[name] = decimalColumn.convertToJSValue(v);
  }
  return row as T;
}


/** Rows of `entity`'s table as plain objects (plainRow). */
async function plainRows<T extends object>(em: EntityManager, entity: EntityName<T>, text: string, values: unknown[]): Promise<T[]> {
  return (await rawRows(em, text, values)).map((raw) => plainRow(em, entity, raw));
}

/**
 * A loan as the read path's field resolvers see it: its properties, with the customer and product as
 * `{ id }` (what they read of a reference). Loan entities satisfy it too (mutations return entities).
 * A row read for a query may lack the JSON columns its selection does not use (loanColumns).
 */
export type LoanRow = Omit<Loan, 'customer' | 'product'> & { customer: { id: string }; product: { id: string } };
export type LoanRoot = Loan | LoanRow;

/**
 * Loans as plain rows: a page of loans is only read, and creating a managed entity per loan (identity
 * map, property accessors, a snapshot of its JSON columns) was most of a `loans(first: 50)` page's CPU.
 */
/** The loan's JSON columns a read may leave out (the largest part of a loan row; only their own fields read them). */
export interface LoanJsonColumns { origination?: boolean; scheduleSettings?: boolean }

const loanColumnLists = new Map<string, string>();

/**
 * The loan table's columns for a read (`alias.column`, comma-separated): every one except the JSON
 * columns not asked for (`setting_overrides` is never read by a field). Built once per combination.
 */
export function loanColumns(em: EntityManager, alias: string, json: LoanJsonColumns): string {
  const key = `${alias}:${json.origination ? 1 : 0}${json.scheduleSettings ? 1 : 0}`;
  let cols = loanColumnLists.get(key);
  if (!cols) {
    const skip = new Set(['settingOverrides', ...(json.origination ? [] : ['origination']), ...(json.scheduleSettings ? [] : ['scheduleSettings'])]);
    cols = em.getMetadata().get(Loan.name).props.filter((p) => !skip.has(p.name)).flatMap((p) => p.fieldNames ?? []).map((c) => `${alias}."${c}"`).join(', ');
    loanColumnLists.set(key, cols);
  }
  return cols;
}

/** Rows of the loan table (as read by rawRows or rawRowSets) as plain loan rows. */
export function loanRowsOf(em: EntityManager, raws: Record<string, unknown>[]): LoanRow[] {
  return raws.map((raw) => loanRow(em, raw));
}

function loanRow(em: EntityManager, raw: Record<string, unknown>): LoanRow {
  const r = plainRow(em, Loan, raw) as unknown as Omit<Loan, 'customer' | 'product'> & { customer: string; product: string };
  return { ...r, customer: { id: r.customer }, product: { id: r.product } };
}

/**
 * The entity the EntityManager holds with that id, if it is loaded (a bare reference, e.g. a loan's
 * customer before it is read, does not count: `em.map` then fills it in).
 */
export function heldEntity<T extends object>(em: EntityManager, entity: { name: string }, id: string): T | undefined {
  const e = em.getUnitOfWork().getById<T>(entity.name, id as never);
  return e && wrap(e, true).isInitialized() ? e : undefined;
}

const prefixedColumns = new Map<string, string>();

/** `<alias>.<column> as "<alias>__<column>"` for every column of the entity's table (built once per entity). */
export function columnsOf(em: EntityManager, entity: EntityName<object>, alias: string): string {
  const meta = em.getMetadata().get((entity as { name: string }).name);
  const key = `${meta.className}:${alias}`;
  let cols = prefixedColumns.get(key);
  if (!cols) {
    cols = meta.props.flatMap((p) => p.fieldNames ?? []).map((c) => `${alias}."${c}" as "${alias}__${c}"`).join(', ');
    prefixedColumns.set(key, cols);
  }
  return cols;
}

/** The columns of `raw` named `<alias>__<column>`, as `<column>`. */
export function unprefixed(raw: Record<string, unknown>, alias: string): Record<string, unknown> {
  const prefix = `${alias}__`;
  const out: Record<string, unknown> = {};
  for (const k in raw) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = raw[k];
  return out;
}

/**
 * A loan, and its customer and product when asked for, in ONE statement through `pg`: the customer and
 * product merged into the EntityManager as managed entities (`em.map`; one it holds already is left as
 * it is), the loan as an entity too (`loanWithParts`: what a mutation changes) or as a plain row
 * (`loanRowWithParts`: a servicing request's checks, which only read it; the `loan(id)` query reads
 * the same statement, for many loans, with its other rows: loanRead). Building these queries through
 * MikroORM's QueryBuilder and knex was the largest piece of a `loan(id)` read's CPU (README, read
 * path); after that, creating the loan entity (accessors, a snapshot of its JSON columns).
 */
function loanStatementText(em: EntityManager, parts: LoanStatementParts, ids = '$1'): string {
  const cols = [parts.json ? loanColumns(em, 'l', parts.json) : 'l.*'];
  let joins = '';
  if (parts.customer) {
    cols.push(columnsOf(em, Customer, 'c'));
    joins += ' join customer c on c.id = l.customer_id';
  }
  if (parts.product) {
    cols.push(columnsOf(em, LoanProduct, 'p'));
    joins += ' join loan_product p on p.id = l.product_id';
  }
  return `select ${cols.join(', ')} from loan l${joins} where l.id = ${ids}`;
}

/** The loan's own columns of the statement's row. */
function ownColumns(raw: Record<string, unknown>): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  for (const k in raw) if (!k.startsWith('c__') && !k.startsWith('p__')) own[k] = raw[k];
  return own;
}

/** The loan's own columns of the statement's row; its customer and product merged into the EntityManager. */
function loanStatementRow(em: EntityManager, raw: Record<string, unknown> | undefined, parts: LoanStatementParts): Record<string, unknown> | null {
  if (!raw) return null;
  // The customer and product first: a loan entity's references then point at them, initialized.
  if (parts.customer && !heldEntity(em, Customer, raw.c__id as string)) em.map(Customer, unprefixed(raw, 'c'));
  if (parts.product && !heldEntity(em, LoanProduct, raw.p__id as string)) em.map(LoanProduct, unprefixed(raw, 'p'));
  return ownColumns(raw);
}

interface LoanStatementParts { customer?: boolean; product?: boolean; json?: LoanJsonColumns }

async function loanStatement(em: EntityManager, id: string, parts: LoanStatementParts): Promise<Record<string, unknown> | null> {
  const [raw] = await rawRows(em, loanStatementText(em, parts), [id]);
  return loanStatementRow(em, raw, parts);
}

/** The loan as a managed entity (see loanStatement); the caller passes only a loan it does not hold. Null when there is none. */
export async function loanWithParts(em: EntityManager, id: string, parts: { customer?: boolean; product?: boolean } = {}): Promise<Loan | null> {
  const own = await loanStatement(em, id, parts);
  return own ? em.map(Loan, own) : null;
}

/** The loan as a plain row (without the JSON columns not asked for), its customer and product (when asked for) held by the EntityManager. Null when there is none. */
export async function loanRowWithParts(em: EntityManager, id: string, parts: { customer?: boolean; product?: boolean; json: LoanJsonColumns }): Promise<LoanRow | null> {
  const own = await loanStatement(em, id, parts);
  return own ? loanRow(em, own) : null;
}

/** What a `loan(id)` query reads besides the loan (the fields it selects). */
export interface LoanReadParts extends LoanStatementParts {
  json: LoanJsonColumns;
  installments?: boolean;
  transactions?: boolean;
  balances?: boolean;
}

/**
 * A loan and the rows its selected fields read; `customer`, `product`, `balances` and `businessDate`
 * are set when asked for. The customer and product are plain rows too (as the loaders give them).
 */
export interface LoanRead {
  loan: LoanRow;
  customer?: Customer;
  product?: LoanProduct;
  installments?: InstallmentRow[];
  transactions?: TransactionRow[];
  balances?: LoanBalanceSums;
  businessDate?: string;
}

/**
 * A loan (as loanRowWithParts) and, when asked for, its customer and product, installments,
 * transactions and balances with the business date they are as of, in ONE round trip (rawRowSets)
 * instead of one per field: every round trip costs the API a socket write that wakes PostgreSQL
 * (the largest single piece of a read's CPU, README, read path) and a result to parse. The rows are
 * the ones the loaders would read (the same statements), so the caller primes the loaders with them.
 *
 * Outside a transaction, the reads that concurrent requests start in the same turn of the event loop
 * with the same parts share that round trip (`loan_id = any(...)` as a page of loans does): under
 * load, one message serves several requests. Each request still gets only the rows of its own loan,
 * and its access check (the caller's) runs on them. Null when there is no such loan.
 */
export function loanRead(em: EntityManager, id: string, parts: LoanReadParts): Promise<LoanRead | null> {
  if (em.getTransactionContext()) return loanReads(em, [id], parts).then((reads) => reads[0]);
  const key = loanReadKey(parts);
  let batch = pendingReads.get(key);
  if (!batch || batch.em.getKnex() !== em.getKnex() || batch.waiting.length >= LOAN_READ_BATCH) {
    if (batch) void flushLoanReads(key, batch);
    batch = { em, parts, waiting: [] };
    pendingReads.set(key, batch);
    const started = batch;
    setImmediate(() => void flushLoanReads(key, started));
  }
  const b = batch;
  return new Promise((resolve, reject) => b.waiting.push({ id, resolve, reject }));
}

/** At most this many loans share one message (the batch a page of loans reads). */
const LOAN_READ_BATCH = 50;

interface PendingLoanReads {
  em: EntityManager;
  parts: LoanReadParts;
  waiting: { id: string; resolve: (read: LoanRead | null) => void; reject: (err: unknown) => void }[];
}

/** Reads waiting for the next turn of the event loop, by what they read (loanReadKey). */
const pendingReads = new Map<string, PendingLoanReads>();

function loanReadKey(p: LoanReadParts): string {
  const flag = (b: boolean | undefined) => (b ? '1' : '0');
  return flag(p.customer) + flag(p.product) + flag(p.json.origination) + flag(p.json.scheduleSettings) + flag(p.installments) + flag(p.transactions) + flag(p.balances);
}

async function flushLoanReads(key: string, batch: PendingLoanReads): Promise<void> {
  if (pendingReads.get(key) === batch) pendingReads.delete(key);
  if (!batch.waiting.length) return;
  const waiting = batch.waiting.splice(0);
  try {
    const reads = await loanReads(batch.em, [...new Set(waiting.map((w) => w.id))], batch.parts);
    const byId = new Map(reads.filter((r): r is LoanRead => r !== null).map((r) => [r.loan.id, r]));
    for (const w of waiting) w.resolve(byId.get(w.id) ?? null);
  } catch (err) {
    for (const w of waiting) w.reject(err);
  }
}

/** loanRead of several loans in one round trip, in the order of `ids` (null for one that does not exist). */
async function loanReads(em: EntityManager, ids: string[], parts: LoanReadParts): Promise<(LoanRead | null)[]> {
  const statements: { text: string; values: unknown[] }[] = [{ text: loanStatementText(em, parts, 'any($1::uuid[])'), values: [ids] }];
  if (parts.installments) statements.push({ text: INSTALLMENTS_SQL, values: [ids] });
  if (parts.transactions) statements.push({ text: TRANSACTIONS_SQL, values: [ids] });
  // The business date comes back with the balances (as_of): read apart, it would be another statement's
  // snapshot, and a close of business moving the date between the two would label the balances wrongly.
  if (parts.balances) statements.push({ text: balancesSql('$1::uuid[]', businessDateExpr('$2')), values: [ids, BUSINESS_DATE] });
  const sets = await rawRowSets(em, statements);
  const loans = new Map(sets[0].map((raw) => [raw.id as string, raw]));
  let k = 1;
  const installments = parts.installments ? installmentGroups(em, ids, sets[k++]) : undefined;
  const transactions = parts.transactions ? transactionGroups(em, ids, sets[k++]) : undefined;
  let businessDate: string | undefined;
  let balances: (LoanBalanceSums | undefined)[] | undefined;
  if (parts.balances) {
    businessDate = balancesAsOf(sets[k]);
    balances = balanceSums(ids, sets[k++]);
  }
  return ids.map((id, i) => {
    const raw = loans.get(id);
    if (!raw) return null;
    // Plain rows, not entities: `em.map` of the customer and product was 6 % of a read's CPU, and a read changes nothing.
    const read: LoanRead = { loan: loanRow(em, ownColumns(raw)) };
    if (parts.customer) read.customer = plainRow(em, Customer, unprefixed(raw, 'c'));
    if (parts.product) read.product = plainRow(em, LoanProduct, unprefixed(raw, 'p'));
    if (installments) read.installments = installments[i];
    if (transactions) read.transactions = transactions[i];
    if (balances) {
      read.businessDate = businessDate;
      read.balances = balances[i];
    }
    return read;
  });
}

/**
 * Entities of one table by id, as managed entities (`em.map` over rows read through `pg`, no
 * QueryBuilder); those the EntityManager holds already are returned as held. For the read path's
 * customer and product loaders.
 */
export async function entitiesByIds<T extends object>(em: EntityManager, entity: EntityName<T> & { name: string }, table: string, ids: readonly string[]): Promise<T[]> {
  const held: T[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const e = heldEntity<T>(em, entity, id);
    if (e) held.push(e);
    else missing.push(id);
  }
  if (!missing.length) return held;
  const rows = await rawRows(em, `select * from "${table}" where id = any($1::uuid[])`, [missing]);
  return [...held, ...rows.map((raw) => em.map(entity, raw as EntityDictionary<T>))];
}

/** One loan transaction as a plain row (what a servicing mutation answers), or null. */
export async function transactionRow(em: EntityManager, id: string): Promise<TransactionRow | null> {
  const [row] = await plainRows<LoanTransaction>(em, LoanTransaction, 'select * from loan_transaction where id = $1', [id]);
  return (row as unknown as TransactionRow | undefined) ?? null;
}

/** Groups rows by their loan, in the order of `loanIds` (a loan without rows gets []). */
function byLoan<R extends { loan: string }>(loanIds: readonly string[], rows: R[]): R[][] {
  const groups = new Map<string, R[]>(loanIds.map((id) => [id, []]));
  for (const r of rows) groups.get(r.loan)?.push(r);
  return loanIds.map((id) => groups.get(id)!);
}

const INSTALLMENTS_SQL = 'select * from loan_installment where loan_id = any($1::uuid[]) order by loan_id, installment_number';
const TRANSACTIONS_SQL = 'select * from loan_transaction where loan_id = any($1::uuid[]) order by loan_id, transaction_date, id';

function installmentGroups(em: EntityManager, loanIds: readonly string[], raws: Record<string, unknown>[]): InstallmentRow[][] {
  return byLoan(loanIds, raws.map((raw) => plainRow(em, LoanInstallment, raw)) as unknown as InstallmentRow[]);
}

function transactionGroups(em: EntityManager, loanIds: readonly string[], raws: Record<string, unknown>[]): TransactionRow[][] {
  return byLoan(loanIds, raws.map((raw) => plainRow(em, LoanTransaction, raw)) as unknown as TransactionRow[]);
}

export async function installmentsOfLoans(em: EntityManager, loanIds: readonly string[]): Promise<InstallmentRow[][]> {
  return installmentGroups(em, loanIds, await rawRows(em, INSTALLMENTS_SQL, [loanIds]));
}

/** A loan's balances as `loanBalances` (servicing.service) gives them, with its next installment flattened. */
export type LoanBalanceSums = Omit<LoanBalances, 'nextInstallment'> & {
  nextInstallmentNumber: number | null;
  nextInstallmentDueDate: string | null;
  nextInstallmentAmount: Decimal | null;
};

// loanBalances' rule in SQL: outstanding = due - paid - waived per component (principal has no waived
// column), not clamped at zero; overdue = due before asOf; next = the first installment with owed > 0.
// `loanIds`: an SQL uuid[] expression; `asOf`: an SQL date expression. One row per id (null sums for a
// loan without installments), so a caller knows which loans the statement covered; every row, and with
// no ids a single row without loan_id, carries the date the balances are as of (`as_of`, balancesAsOf).
export const balancesSql = (loanIds: string, asOf: string) => `
  with p as (select ${loanIds} as loan_ids, ${asOf} as as_of)
  select x.id as loan_id, (select as_of from p)::text as as_of,
         sum(principal)::text as principal, sum(interest)::text as interest, sum(fee)::text as fee, sum(penalty)::text as penalty,
         sum(owed)::text as total,
         coalesce(sum(owed) filter (where overdue), 0)::text as overdue,
         min(installment_number) filter (where owed > 0) as next_number,
         (array_agg(due_date::text order by installment_number) filter (where owed > 0))[1] as next_due_date,
         (array_agg(owed::text order by installment_number) filter (where owed > 0))[1] as next_amount
    from p left join unnest(p.loan_ids) x(id) on true
    left join (select *, principal + interest + fee + penalty as owed
            from (select i.loan_id, i.installment_number, i.due_date, i.due_date < p.as_of as overdue,
                         i.principal_due - i.principal_paid as principal,
                         i.interest_due - i.interest_paid - i.interest_waived as interest,
                         i.fee_charges_due - i.fee_paid - i.fee_waived as fee,
                         i.penalty_charges_due - i.penalty_paid - i.penalty_waived as penalty
                    from loan_installment i, p where i.loan_id = any(p.loan_ids)) c) o on o.loan_id = x.id
   group by x.id`;

/**
 * `loanBalances(rows, asOf)` of every loan in ONE statement, summed by PostgreSQL (exact numeric, as
 * decimal.js at 40 digits is for these sums): a list page then builds nine values per loan instead of
 * parsing 15 money columns of every installment (README, read path). Undefined for a loan without
 * installments. test/services/loan-balances.property.test.ts holds it to loanBalances. `$1` comes
 * before `$2` in the text because inside a transaction rawRows binds placeholders in order.
 */
export async function balancesOfLoans(em: EntityManager, loanIds: readonly string[], asOf: string): Promise<(LoanBalanceSums | undefined)[]> {
  return balanceSums(loanIds, await rawRows(em, BALANCES_SQL, [loanIds, asOf]));
}

const BALANCES_SQL = balancesSql('$1::uuid[]', '$2::date');

function balanceSums(loanIds: readonly string[], rows: Record<string, unknown>[]): (LoanBalanceSums | undefined)[] {
  const byId = balancesById(rows);
  return loanIds.map((id) => byId.get(id));
}

/** The rows of balancesSql by loan id: every loan the statement covered, undefined for one without installments. */
export function balancesById(rows: Record<string, unknown>[]): Map<string, LoanBalanceSums | undefined> {
  const byId = new Map<string, LoanBalanceSums | undefined>();
  for (const r of rows) {
    if (r.loan_id == null) continue; // the row of a statement given no ids
    byId.set(r.loan_id as string, r.total == null ? undefined : {
      principalOutstanding: decimalColumn.convertToJSValue(r.principal as string)!,
      interestOutstanding: decimalColumn.convertToJSValue(r.interest as string)!,
      feeOutstanding: decimalColumn.convertToJSValue(r.fee as string)!,
      penaltyOutstanding: decimalColumn.convertToJSValue(r.penalty as string)!,
      totalOutstanding: decimalColumn.convertToJSValue(r.total as string)!,
      totalOverdue: decimalColumn.convertToJSValue(r.overdue as string)!,
      nextInstallmentNumber: (r.next_number as number | null) ?? null,
      nextInstallmentDueDate: (r.next_due_date as string | null) ?? null,
      nextInstallmentAmount: decimalColumn.convertToJSValue((r.next_amount as string | null) ?? null),
    });
  }
  return byId;
}

/** The business date a balancesSql statement read its balances as of (any row has it; it always returns one). */
export function balancesAsOf(rows: Record<string, unknown>[]): string {
  const asOf = rows[0]?.as_of as string | null | undefined;
  if (asOf == null) throw new Error('business_date has no BUSINESS_DATE row (migrations not run?)');
  return asOf;
}

export async function transactionsOfLoans(em: EntityManager, loanIds: readonly string[]): Promise<TransactionRow[][]> {
  return transactionGroups(em, loanIds, await rawRows(em, TRANSACTIONS_SQL, [loanIds]));
}

export async function timelinesOfLoans(em: EntityManager, loanIds: readonly string[]): Promise<LoanEventRow[][]> {
  const rows = await plainRows<LoanEvent>(em, LoanEvent,
    'select * from loan_event where loan_id = any($1::uuid[]) order by loan_id, occurred_at, id', [loanIds]);
  return byLoan(loanIds, rows as unknown as LoanEventRow[]);
}

/** The loans' documents that are not deleted, oldest first (as listLoanDocuments). */
export async function documentsOfLoans(em: EntityManager, loanIds: readonly string[]): Promise<DocumentView[][]> {
  const rows = await plainRows<Document>(em, Document,
    'select * from document where loan_id = any($1::uuid[]) and deleted_at is null order by loan_id, created_at, id', [loanIds]);
  const views = (rows as unknown as (Omit<Document, 'loan' | 'customer'> & { loan: string; customer: string })[]).map((d) => ({
    loan: d.loan,
    view: documentView({ ...d, loan: { id: d.loan }, customer: { id: d.customer } } as unknown as Document),
  }));
  return byLoan(loanIds, views).map((g) => g.map((v) => v.view));
}

/** INVALID_STAGE unless the loan is active (as payoffQuoteFor). */
export function requirePayoffQuotable(loan: Pick<Loan, 'status'>): void {
  if (loan.status !== 'ACTIVE') throw new InvalidStageError(`A payoff quote needs an active loan; this one is ${loan.status}`);
}

/**
 * What pays the loan off on a date, from rows already loaded (payoffQuoteFor in loan-servicing.service
 * is the same rule for a loan given by id). Active loans only.
 */
export function payoffQuoteOf(loan: Pick<Loan, 'status'>, product: Pick<LoanProduct, 'digitsAfterDecimal'>, rows: InstallmentRow[], on: string, date?: string | null): PayoffQuote {
  requirePayoffQuotable(loan);
  const when = date ? requireLocalDate('date', date) : on;
  return payoffQuote(rows.map(toDomainInstallment), when, { digitsAfterDecimal: product.digitsAfterDecimal });
}
