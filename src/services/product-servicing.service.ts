import { ALLOCATION_STRATEGIES, type AllocationStrategy } from '../domain/allocation';
import { ValidationError } from '../domain/errors';
import { ACCOUNTING_RULES, GL_ROLES, type AccountingRule, type GlRole } from '../domain/ledger';
import { parseDecimal } from '../domain/money';
import { PENALTY_CALCULATION_TYPES, type PenaltyCalculationType } from '../domain/penalties';
import { GlAccount, LoanProduct } from '../entities';
import { actingAs } from './authorization';
import type { ServiceContext } from './context';
import { requireUuid } from './validation';

export interface ProductServicingInput {
  accountingRule: string;
  allocationStrategy: string;
  penaltyCalculationType?: string | null;
  penaltyAmount?: string | null;
  penaltyGraceDays?: number | null;
  glMapping?: { role: string; glAccountCode: string }[] | null;
}

/** Sets a product's accounting rule, allocation strategy, overdue penalty and GL mapping (ADMIN). */
export async function configureProductServicing(ctx: ServiceContext, productId: string, input: ProductServicingInput): Promise<LoanProduct> {
  actingAs(ctx.actor, ['ADMIN']);
  const id = requireUuid('productId', productId);
  if (!(ACCOUNTING_RULES as readonly string[]).includes(input.accountingRule)) throw new ValidationError('input.accountingRule', `must be one of ${ACCOUNTING_RULES.join(', ')}`);
  if (!(ALLOCATION_STRATEGIES as readonly string[]).includes(input.allocationStrategy)) throw new ValidationError('input.allocationStrategy', `must be one of ${ALLOCATION_STRATEGIES.join(', ')}`);
  const type = input.penaltyCalculationType ?? null;
  if (type !== null && !(PENALTY_CALCULATION_TYPES as readonly string[]).includes(type)) throw new ValidationError('input.penaltyCalculationType', `must be one of ${PENALTY_CALCULATION_TYPES.join(', ')}`);
  const amount = input.penaltyAmount == null ? null : parseDecimal(input.penaltyAmount);
  if (type !== null && (!amount || amount.lte(0))) throw new ValidationError('input.penaltyAmount', 'must be a positive decimal when a penalty is set');
  if (type !== null && type !== 'FLAT' && amount!.gt(100)) throw new ValidationError('input.penaltyAmount', 'a percent must not exceed 100');
  const grace = input.penaltyGraceDays ?? 0;
  if (!Number.isInteger(grace) || grace < 0 || grace > 365) throw new ValidationError('input.penaltyGraceDays', 'must be between 0 and 365');
  const mapping: Partial<Record<GlRole, string>> = {};
  for (const [i, m] of (input.glMapping ?? []).entries()) {
    if (!(GL_ROLES as readonly string[]).includes(m.role)) throw new ValidationError(`input.glMapping[${i}].role`, `must be one of ${GL_ROLES.join(', ')}`);
    if (!(await ctx.em.count(GlAccount, { code: m.glAccountCode }))) throw new ValidationError(`input.glMapping[${i}].glAccountCode`, `no GL account with code ${m.glAccountCode}`);
    mapping[m.role as GlRole] = m.glAccountCode;
  }
  const product = await ctx.em.findOne(LoanProduct, id);
  if (!product) throw new ValidationError('productId', 'no such loan product');
  if (type !== null && amount!.decimalPlaces() > 6) throw new ValidationError('input.penaltyAmount', 'must have at most 6 decimal places');
  product.accountingRule = input.accountingRule as AccountingRule;
  product.allocationStrategy = input.allocationStrategy as AllocationStrategy;
  product.penaltyCalculationType = type as PenaltyCalculationType | null;
  product.penaltyAmount = type === null ? null : amount;
  product.penaltyGraceDays = grace;
  product.glMapping = Object.keys(mapping).length ? mapping : null;
  await ctx.em.flush();
  return product;
}
