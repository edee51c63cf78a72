/**
 * Payment types (Apache Fineract's m_payment_type): the ADMIN-managed list of channels money arrives
 * through (CASH, BANK_TRANSFER, ...). Servicing requests name one by code; an unknown or inactive
 * code is refused before the loan's workflow is asked. Types are deactivated, never deleted, so old
 * transactions keep naming a known type.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { STAFF_ROLES } from '../domain/roles';
import { PaymentType } from '../entities';
import { actingAs } from './authorization';
import type { ServiceContext } from './context';
import { isUniqueViolation, optionalText, requireText } from './validation';

/** Upper-case code: a letter, then letters, digits or underscores (2 to 40 characters). */
export const PAYMENT_TYPE_CODE = /^[A-Z][A-Z0-9_]{1,39}$/;
const MAX_POSITION = 100_000;

export interface CreatePaymentTypeInput {
  code: string;
  name: string;
  description?: string | null;
  isCashPayment?: boolean | null;
  position?: number | null;
}

export interface UpdatePaymentTypeInput {
  name?: string | null;
  description?: string | null;
  isCashPayment?: boolean | null;
  position?: number | null;
  active?: boolean | null;
  expectedVersion?: number | null;
}

function requireCode(field: string, value: unknown): string {
  if (typeof value !== 'string' || !PAYMENT_TYPE_CODE.test(value)) {
    throw new ValidationError(field, 'must be an upper-case code of 2 to 40 letters, digits or underscores starting with a letter, such as BANK_TRANSFER');
  }
  return value;
}

function requirePosition(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_POSITION) throw new ValidationError('input.position', `must be a whole number from 0 to ${MAX_POSITION}`);
  return value;
}

/** The list in display order; inactive types only on request. Any staff member (they pick one when recording a payment). */
export async function listPaymentTypes(ctx: ServiceContext, includeInactive = false): Promise<PaymentType[]> {
  actingAs(ctx.actor, STAFF_ROLES);
  return ctx.em.find(PaymentType, includeInactive ? {} : { active: true }, { orderBy: { position: 'asc', code: 'asc' } });
}

export async function createPaymentType(ctx: ServiceContext, input: CreatePaymentTypeInput): Promise<PaymentType> {
  const actor = actingAs(ctx.actor, ['ADMIN']);
  const code = requireCode('input.code', input.code);
  const name = requireText('input.name', input.name, 100);
  const description = optionalText('input.description', input.description, 500);
  const isCashPayment = input.isCashPayment ?? false;
  return ctx.em.transactional(async (em) => {
    if (await em.findOne(PaymentType, code)) throw new ConflictError(`Payment type ${code} exists (deactivate or update it instead)`, 'input.code');
    // Without a position a new type goes last.
    const position = input.position != null ? requirePosition(input.position) : await nextPosition(em);
    const type = em.create(PaymentType, { code, name, description, isCashPayment, position, createdBy: actor.id, updatedBy: actor.id });
    try {
      await em.flush();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`Payment type ${code} exists`, 'input.code');
      throw err;
    }
    return type;
  });
}

async function nextPosition(em: EntityManager): Promise<number> {
  const [row] = await em.getConnection().execute<{ next: number }[]>(`select coalesce(max(position), 0) + 1 as next from payment_type`);
  return Math.min(Number(row.next), MAX_POSITION);
}

/** Changes a type's name, description, cash flag, position or `active` (deactivating refuses it for new payments). */
export async function updatePaymentType(ctx: ServiceContext, codeInput: string, input: UpdatePaymentTypeInput): Promise<PaymentType> {
  const actor = actingAs(ctx.actor, ['ADMIN']);
  const code = requireCode('code', codeInput);
  const name = input.name != null ? requireText('input.name', input.name, 100) : undefined;
  // An empty description clears it.
  const description = input.description !== undefined ? optionalText('input.description', input.description, 500) : undefined;
  const position = input.position != null ? requirePosition(input.position) : undefined;
  return ctx.em.transactional(async (em) => {
    const type = await em.findOne(PaymentType, code);
    if (!type) throw new NotFoundError('PaymentType', code, 'code');
    if (input.expectedVersion != null && input.expectedVersion !== type.version) {
      throw new ConflictError(`Payment type ${code} is at version ${type.version}, not ${input.expectedVersion}: read it again`, 'input.expectedVersion');
    }
    const next = {
      name: name ?? type.name,
      description: description !== undefined ? description : type.description ?? null,
      isCashPayment: input.isCashPayment ?? type.isCashPayment,
      position: position ?? type.position,
      active: input.active ?? type.active,
    };
    // An update that changes nothing writes nothing (and keeps the version).
    if ((Object.keys(next) as (keyof typeof next)[]).some((k) => next[k] !== (type[k] ?? null))) {
      em.assign(type, { ...next, updatedBy: actor.id });
      await em.flush();
    }
    return type;
  });
}

/**
 * A servicing request's payment type: null stays null; otherwise an active type of the list, else
 * BAD_USER_INPUT on `paymentType` (`active`: the type's flag, null when there is no such type; the
 * caller reads it with its other pre-checks, see performServicing).
 */
export function assertUsablePaymentType(code: string | null | undefined, active: boolean | null | undefined): string | null {
  if (code == null) return null;
  requireCode('paymentType', code);
  if (active == null) throw new ValidationError('paymentType', `unknown payment type ${code} (see paymentTypes)`);
  if (!active) throw new ValidationError('paymentType', `payment type ${code} is inactive`);
  return code;
}

/** The format check alone, for input validated before any database read. */
export function assertPaymentTypeCode(value: string | null | undefined): void {
  if (value != null) requireCode('paymentType', value);
}

/** Payment types by code (the transactions' `paymentTypeDetails`: one statement per request). */
export async function paymentTypesByCodes(em: EntityManager, codes: readonly string[]): Promise<PaymentType[]> {
  return em.find(PaymentType, { code: { $in: [...codes] } });
}
