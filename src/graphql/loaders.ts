import DataLoader from 'dataloader';
import { Customer, LoanProduct, type PaymentType } from '../entities';
import type { DocumentView } from '../services/document.service';
import type { ServiceContext } from '../services/context';
import { paymentTypesByCodes } from '../services/payment-type.service';
import { currentBusinessDate } from '../services/business-date.service';
import {
  balancesOfLoans, documentsOfLoans, entitiesByIds, installmentsOfLoans, timelinesOfLoans, transactionsOfLoans,
  type InstallmentRow, type LoanBalanceSums, type LoanEventRow, type TransactionRow,
} from '../services/loan-read.service';

/** Batches by id and keeps results in the order asked for (DataLoader's contract). */
function byId<T extends { id: string }>(fetch: (ids: readonly string[]) => Promise<T[]>) {
  return new DataLoader<string, T | undefined>(async (ids) => {
    const rows = new Map((await fetch(ids)).map((r) => [r.id, r]));
    return ids.map((id) => rows.get(id));
  });
}

/** Batches per-loan lists: every loan of the request in one statement. */
function perLoan<T>(fetch: (loanIds: readonly string[]) => Promise<T[][]>) {
  return new DataLoader<string, T[]>((ids) => fetch(ids));
}

/**
 * Per-request DataLoaders: every per-loan field of a query (a `loans(first: 50)` page, or one loan's
 * `balances` and `installments` together) costs one statement per kind of row, not one per loan and
 * field. Created lazily, on first use: a request that needs none (the `{ businessDate }` floor, every
 * mutation) pays nothing for them. `balances` is summed in SQL (no installment rows); `installments`
 * and `payoffQuote` of a loan share one load of the rows.
 */
export function createLoaders(ctx: ServiceContext) {
  let customer: DataLoader<string, Customer | undefined> | undefined;
  let loanProduct: DataLoader<string, LoanProduct | undefined> | undefined;
  let installments: DataLoader<string, InstallmentRow[]> | undefined;
  let balances: DataLoader<string, LoanBalanceSums | undefined> | undefined;
  let transactions: DataLoader<string, TransactionRow[]> | undefined;
  let timeline: DataLoader<string, LoanEventRow[]> | undefined;
  let documents: DataLoader<string, DocumentView[]> | undefined;
  let paymentType: DataLoader<string, PaymentType | undefined> | undefined;
  let businessDate: Promise<string> | undefined;
  const asOf = () => (businessDate ??= currentBusinessDate(ctx.em));
  return {
    get customer() { return (customer ??= byId<Customer>((ids) => entitiesByIds(ctx.em, Customer, 'customer', ids))); },
    get loanProduct() { return (loanProduct ??= byId<LoanProduct>((ids) => entitiesByIds(ctx.em, LoanProduct, 'loan_product', ids))); },
    get installments() { return (installments ??= perLoan((ids) => installmentsOfLoans(ctx.em, ids))); },
    /** As of the request's business date; undefined for a loan without installments. */
    get balances() {
      return (balances ??= new DataLoader<string, LoanBalanceSums | undefined>(async (ids) => balancesOfLoans(ctx.em, ids, await asOf())));
    },
    get transactions() { return (transactions ??= perLoan((ids) => transactionsOfLoans(ctx.em, ids))); },
    get timeline() { return (timeline ??= perLoan((ids) => timelinesOfLoans(ctx.em, ids))); },
    get documents() { return (documents ??= perLoan((ids) => documentsOfLoans(ctx.em, ids))); },
    /** By code (payment types are keyed by code, not id). */
    get paymentType() {
      return (paymentType ??= new DataLoader<string, PaymentType | undefined>(async (codes) => {
        const rows = new Map((await paymentTypesByCodes(ctx.em, codes)).map((t) => [t.code, t]));
        return codes.map((c) => rows.get(c));
      }));
    },
    /** The business date, read once per request (every loan's balances are as of the same date). */
    businessDate: asOf,
    /** The business date read with other rows (loanRead): the request uses that one. */
    primeBusinessDate(date: string) { businessDate ??= Promise.resolve(date); },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
