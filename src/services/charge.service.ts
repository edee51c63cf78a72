/**
 * Charge definitions (ADMIN): Apache Fineract's `createCharge` for loans. Products attach them as
 * defaults; a loan carries them from activation (see loan-charge.service.ts).
 */
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { currencyDigits, isCurrencyCode, parseDecimal } from '../domain/money';
import { CHARGE_CALCULATION_TYPES, CHARGE_TIME_TYPES, type ChargeCalculationType, type ChargeTerms, type ChargeTimeType } from '../domain/schedule';
import { Charge } from '../entities';
import { actingAs } from './authorization';
import type { ServiceContext } from './context';
import { isUniqueViolation, requireText, requireUuid } from './validation';

export interface CreateChargeInput {
  name: string;
  chargeAppliesTo?: string | null;
  chargeTimeType: string;
  chargeCalculationType: string;
  penalty?: boolean | null;
  amount: string;
  currencyCode: string;
  graceDays?: number | null;
  feeInterval?: number | null;
}

/** Which calculations each time allows (Fineract's rules for loan charges). */
const ALLOWED: Record<ChargeTimeType, readonly ChargeCalculationType[]> = {
  DISBURSEMENT: ['FLAT', 'PERCENT_OF_AMOUNT'],
  SPECIFIED_DUE_DATE: CHARGE_CALCULATION_TYPES,
  INSTALLMENT_FEE: CHARGE_CALCULATION_TYPES,
  OVERDUE_INSTALLMENT: ['FLAT', 'PERCENT_OF_AMOUNT', 'PERCENT_OF_AMOUNT_AND_INTEREST'],
};

export async function createCharge(ctx: ServiceContext, input: CreateChargeInput): Promise<Charge> {
  actingAs(ctx.actor, ['ADMIN']);
  const name = requireText('name', input.name, 100);
  if ((input.chargeAppliesTo ?? 'LOAN') !== 'LOAN') throw new ValidationError('chargeAppliesTo', 'must be LOAN');
  if (!(CHARGE_TIME_TYPES as readonly string[]).includes(input.chargeTimeType)) throw new ValidationError('chargeTimeType', `must be one of ${CHARGE_TIME_TYPES.join(', ')}`);
  const chargeTimeType = input.chargeTimeType as ChargeTimeType;
  if (!(ALLOWED[chargeTimeType] as readonly string[]).includes(input.chargeCalculationType)) {
    throw new ValidationError('chargeCalculationType', `a ${chargeTimeType} charge is one of ${ALLOWED[chargeTimeType].join(', ')}`);
  }
  const chargeCalculationType = input.chargeCalculationType as ChargeCalculationType;
  if (!isCurrencyCode(input.currencyCode)) throw new ValidationError('currencyCode', 'must be an ISO 4217 code like "USD"');
  const amount = parseDecimal(input.amount);
  if (!amount || amount.lte(0)) throw new ValidationError('amount', 'must be a positive decimal');
  if (chargeCalculationType === 'FLAT' && amount.decimalPlaces() > currencyDigits(input.currencyCode)) {
    throw new ValidationError('amount', `must have at most ${currencyDigits(input.currencyCode)} decimal places`);
  }
  if (chargeCalculationType !== 'FLAT' && amount.gt(100)) throw new ValidationError('amount', 'a percentage must be at most 100');
  const penalty = input.penalty ?? chargeTimeType === 'OVERDUE_INSTALLMENT';
  const graceDays = input.graceDays ?? 0;
  if (!Number.isInteger(graceDays) || graceDays < 0 || graceDays > 365) throw new ValidationError('graceDays', 'must be between 0 and 365');
  const feeInterval = input.feeInterval ?? null;
  if (feeInterval !== null && (!Number.isInteger(feeInterval) || feeInterval < 1 || feeInterval > 365)) throw new ValidationError('feeInterval', 'must be between 1 and 365 days');
  if (chargeTimeType !== 'OVERDUE_INSTALLMENT' && (graceDays || feeInterval)) throw new ValidationError('graceDays', 'only an OVERDUE_INSTALLMENT charge has grace days or a fee interval');
  const charge = ctx.em.create(Charge, { name, chargeTimeType, chargeCalculationType, penalty, amount, currencyCode: input.currencyCode, graceDays, feeInterval });
  try {
    await ctx.em.persistAndFlush(charge);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`A charge named "${name}" already exists`, 'name');
    throw err;
  }
  return charge;
}

export async function getCharge(ctx: ServiceContext, id: string, field = 'id'): Promise<Charge> {
  const charge = await ctx.em.findOne(Charge, { id: requireUuid(field, id) });
  if (!charge) throw new NotFoundError('Charge', id, field);
  return charge;
}

export async function listCharges(ctx: ServiceContext): Promise<Charge[]> {
  return ctx.em.find(Charge, {}, { orderBy: { name: 'asc' } });
}

/** A charge as the schedule engine takes it (SPECIFIED_DUE_DATE ones need the loan's date). */
export function chargeTerms(c: Charge, dueDate?: string | null): ChargeTerms {
  return {
    name: c.name,
    amount: c.amount.toFixed(),
    chargeTimeType: c.chargeTimeType,
    chargeCalculationType: c.chargeCalculationType,
    penalty: c.penalty,
    ...(dueDate ? { dueDate } : {}),
    ...(c.chargeTimeType === 'OVERDUE_INSTALLMENT' ? { graceDays: c.graceDays, feeInterval: c.feeInterval ?? null } : {}),
  };
}
