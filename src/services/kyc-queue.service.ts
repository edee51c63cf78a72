/**
 * The KYC officers' work queue: loans waiting in KYC_REVIEW, oldest submission first (first in, first
 * served), keyset-paginated. Reads the PostgreSQL projection (the reviewer is `origination.kycReviewerId`,
 * indexed by loan_kyc_queue_index, a partial expression index created in
 * Migration20261123093000_kyc_queue), never workflow queries.
 */
import type { FilterQuery } from '@mikro-orm/core';
import { ValidationError } from '../domain/errors';
import { Loan } from '../entities';
import { actingAs } from './authorization';
import type { ServiceContext } from './context';
import { decodeCursor, pageSize, type Page } from './pagination';
import { requireUuid } from './validation';

export const KYC_QUEUE_ROLES = ['KYC_OFFICER', 'MANAGER'] as const;

export interface KycQueueFilter {
  /** Only loans assigned to the caller. */
  assignedToMe?: boolean | null;
  /** Only loans nobody has been assigned to yet. */
  unassigned?: boolean | null;
  reviewerId?: string | null;
  customerId?: string | null;
  /** Submitted at or after this instant. */
  submittedFrom?: Date | null;
  /** Submitted before this instant. */
  submittedTo?: Date | null;
}

export async function kycQueue(ctx: ServiceContext, filter: KycQueueFilter = {}, first?: number | null, after?: string | null): Promise<Page<Loan>> {
  const actor = actingAs(ctx.actor, KYC_QUEUE_ROLES);
  const limit = pageSize(first);
  const reviewerFilters = [filter.assignedToMe ? 'assignedToMe' : null, filter.unassigned ? 'unassigned' : null, filter.reviewerId ? 'reviewerId' : null].filter(Boolean);
  if (reviewerFilters.length > 1) throw new ValidationError(`filter.${reviewerFilters[1]}`, `cannot be combined with filter.${reviewerFilters[0]}`);
  const where: FilterQuery<Loan> = { stage: 'KYC_REVIEW' };
  // JSON property filters become `origination->>'kycReviewerId'`, the expression the index covers.
  if (filter.assignedToMe) where.origination = { kycReviewerId: actor.id };
  if (filter.unassigned) where.origination = { kycReviewerId: null };
  if (filter.reviewerId) where.origination = { kycReviewerId: requireUuid('filter.reviewerId', filter.reviewerId) };
  if (filter.customerId) where.customer = requireUuid('filter.customerId', filter.customerId);
  if (filter.submittedFrom && filter.submittedTo && filter.submittedFrom >= filter.submittedTo) {
    throw new ValidationError('filter.submittedTo', 'must be after filter.submittedFrom');
  }
  if (filter.submittedFrom || filter.submittedTo) {
    where.submittedAt = {
      ...(filter.submittedFrom ? { $gte: filter.submittedFrom } : {}),
      ...(filter.submittedTo ? { $lt: filter.submittedTo } : {}),
    };
  }
  const totalCount = await ctx.em.count(Loan, where);
  const pageWhere: FilterQuery<Loan> = { ...where };
  if (after) {
    const c = decodeCursor(after);
    pageWhere.$or = [{ createdAt: { $gt: c.createdAt } }, { createdAt: c.createdAt, id: { $gt: c.id } }];
  }
  const rows = await ctx.em.find(Loan, pageWhere, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: limit + 1 });
  return { items: rows.slice(0, limit), hasNextPage: rows.length > limit, totalCount };
}
