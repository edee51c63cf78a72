import DataLoader from 'dataloader';
import type { Customer, LoanProduct } from '../entities';
import type { ServiceContext } from '../services/context';
import { customersByIds } from '../services/customer.service';
import { loanProductsByIds } from '../services/loan-product.service';

/** Batches by id and keeps results in the order asked for (DataLoader's contract). */
function byId<T extends { id: string }>(fetch: (ids: readonly string[]) => Promise<T[]>) {
  return new DataLoader<string, T | undefined>(async (ids) => {
    const rows = new Map((await fetch(ids)).map((r) => [r.id, r]));
    return ids.map((id) => rows.get(id));
  });
}

export function createLoaders(ctx: ServiceContext) {
  return {
    customer: byId<Customer>((ids) => customersByIds(ctx, ids)),
    loanProduct: byId<LoanProduct>((ids) => loanProductsByIds(ctx, ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
