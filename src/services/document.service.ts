import { Document } from '../entities';
import type { ServiceContext } from './context';
import { getLoan } from './loan.service';

export function documentUrl(id: string): string {
  return `/documents/${id}`;
}

/** The loan's documents (not deleted); the caller must be allowed to see the loan. */
export async function listLoanDocuments(ctx: ServiceContext, loanId: string) {
  await getLoan(ctx, loanId);
  const docs = await ctx.em.find(Document, { loan: loanId, deletedAt: null }, { orderBy: { createdAt: 'asc' } });
  return docs.map((d) => ({ ...d, id: d.id, url: documentUrl(d.id) }));
}

/** A document and its owner, for downloads; authorization is the caller's job (see the route). */
export async function findDocument(ctx: ServiceContext, id: string): Promise<Document | null> {
  return ctx.em.findOne(Document, { id, deletedAt: null });
}
