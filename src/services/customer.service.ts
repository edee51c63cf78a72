import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { parseDecimal, type Decimal } from '../domain/money';
import { Customer } from '../entities';
import { assertCanAccessCustomer } from './authorization';
import type { ServiceContext } from './context';
import { isUniqueViolation, optionalText, requireText, requireUuid } from './validation';

export interface RegisterCustomerInput {
  firstName: string;
  lastName: string;
  email: string;
  phone?: string | null;
  dateOfBirth?: string | null;
  externalId?: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function registerCustomer(ctx: ServiceContext, input: RegisterCustomerInput): Promise<Customer> {
  const email = requireText('email', input.email, 254).toLowerCase();
  if (!EMAIL.test(email)) throw new ValidationError('email', 'must be an e-mail address');
  const dateOfBirth = input.dateOfBirth ?? null;
  if (dateOfBirth !== null && !LOCAL_DATE.test(dateOfBirth)) throw new ValidationError('dateOfBirth', 'must be a date YYYY-MM-DD');
  const customer = ctx.em.create(Customer, {
    firstName: requireText('firstName', input.firstName, 100),
    lastName: requireText('lastName', input.lastName, 100),
    email,
    phone: optionalText('phone', input.phone, 32),
    dateOfBirth,
    externalId: optionalText('externalId', input.externalId, 100),
  });
  try {
    await ctx.em.persistAndFlush(customer);
  } catch (err) {
    if (isUniqueViolation(err)) {
      const field = String((err as Error).message).includes('customer_external_id_unique') ? 'externalId' : 'email';
      throw new ConflictError(`A customer with this ${field} already exists`, field);
    }
    throw err;
  }
  return customer;
}

export async function getCustomer(ctx: ServiceContext, id: string): Promise<Customer> {
  assertCanAccessCustomer(ctx, requireUuid('id', id));
  const customer = await ctx.em.findOne(Customer, { id: requireUuid('id', id) });
  if (!customer) throw new NotFoundError('Customer', id, 'id');
  return customer;
}

export const EMPLOYMENT_STATUSES = ['EMPLOYED', 'SELF_EMPLOYED', 'UNEMPLOYED', 'RETIRED', 'STUDENT'] as const;

export interface CustomerProfileInput {
  phone?: string | null;
  address?: string | null;
  nationalId?: string | null;
  monthlyIncome?: string | null;
  monthlyObligations?: string | null;
  employmentStatus?: string | null;
  employmentYears?: number | null;
}

function optionalMoney(field: string, value: string | null | undefined): Decimal | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  const d = parseDecimal(value);
  if (!d || d.lt(0) || d.gt('1e12')) throw new ValidationError(field, 'must be a non-negative decimal amount');
  return d;
}

/** KYC and affordability data (the customer themself, or a loan officer); only given fields change. */
export async function updateCustomerProfile(ctx: ServiceContext, customerId: string, input: CustomerProfileInput): Promise<Customer> {
  const customer = await getCustomer(ctx, customerId);
  if (input.employmentStatus != null && !(EMPLOYMENT_STATUSES as readonly string[]).includes(input.employmentStatus)) {
    throw new ValidationError('employmentStatus', `must be one of ${EMPLOYMENT_STATUSES.join(', ')}`);
  }
  if (input.employmentYears != null && (!Number.isInteger(input.employmentYears) || input.employmentYears < 0 || input.employmentYears > 80)) {
    throw new ValidationError('employmentYears', 'must be a whole number from 0 to 80');
  }
  const income = optionalMoney('monthlyIncome', input.monthlyIncome);
  const obligations = optionalMoney('monthlyObligations', input.monthlyObligations);
  if (income !== undefined) customer.monthlyIncome = income;
  if (obligations !== undefined) customer.monthlyObligations = obligations;
  if (input.employmentStatus !== undefined) customer.employmentStatus = input.employmentStatus;
  if (input.employmentYears !== undefined) customer.employmentYears = input.employmentYears;
  if (input.phone !== undefined) customer.phone = optionalText('phone', input.phone, 32);
  if (input.address !== undefined) customer.address = optionalText('address', input.address, 300);
  if (input.nationalId !== undefined) customer.nationalId = optionalText('nationalId', input.nationalId, 64);
  await ctx.em.flush();
  return customer;
}
