import { ALLOCATION_STRATEGIES, type AllocationStrategy } from '../domain/allocation';
import { ValidationError } from '../domain/errors';
import { ACCOUNTING_RULES, GL_ROLES, type AccountingRule, type GlRole } from '../domain/ledger';
import { GlAccount, LoanProduct } from '../entities';
import { actingAs } from './authorization';
import type { ServiceContext } from './context';
import { requireUuid } from './validation';

export interface ProductServicingInput {
  accountingRule: string;
  allocationStrategy: string;
  glMapping?: { role: string; glAccountCode: string }[] | null;
}

/**
 * Sets a product's accounting rule, allocation strategy and GL mapping (ADMIN). Overdue penalties are
 * OVERDUE_INSTALLMENT charges (createCharge) among the product's charges.
 */
export async function configureProductServicing(ctx: ServiceContext, productId: string, input: ProductServicingInput): Promise<LoanProduct> {
  actingAs(ctx.actor, ['ADMIN']);
  const id = requireUuid('productId', productId);
  if (!(ACCOUNTING_RULES as readonly string[]).includes(input.accountingRule)) throw new ValidationError('input.accountingRule', `must be one of ${ACCOUNTING_RULES.join(', ')}`);
  if (!(ALLOCATION_STRATEGIES as readonly string[]).includes(input.allocationStrategy)) throw new ValidationError('input.allocationStrategy', `must be one of ${ALLOCATION_STRATEGIES.join(', ')}`);
  const mapping: Partial<Record<GlRole, string>> = {};
  for (const [i, m] of (input.glMapping ?? []).entries()) {
    if (!(GL_ROLES as readonly string[]).includes(m.role)) throw new ValidationError(`input.glMapping[${i}].role`, `must be one of ${GL_ROLES.join(', ')}`);
    if (!(await ctx.em.count(GlAccount, { code: m.glAccountCode }))) throw new ValidationError(`input.glMapping[${i}].glAccountCode`, `no GL account with code ${m.glAccountCode}`);
    mapping[m.role as GlRole] = m.glAccountCode;
  }
  const product = await ctx.em.findOne(LoanProduct, id);
  if (!product) throw new ValidationError('productId', 'no such loan product');
  product.accountingRule = input.accountingRule as AccountingRule;
  product.allocationStrategy = input.allocationStrategy as AllocationStrategy;
  product.glMapping = Object.keys(mapping).length ? mapping : null;
  await ctx.em.flush();
  return product;
}
