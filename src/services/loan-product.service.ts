import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { validateLoanProduct, type LoanProductTerms } from '../domain/loan-application';
import { Decimal } from '../domain/money';
import {
  applyOverrides, OVERRIDABLE_ATTRIBUTES, SCHEDULE_SETTING_FIELDS, validateProductSettings, withDefaults,
  type AllowAttributeOverrides, type LoanScheduleSettings, type LoanSettingOverrides, type ProductScheduleSettings,
} from '../domain/product-settings';
import type { ChargeTerms } from '../domain/schedule';
import { Charge, Loan, LoanProduct, LoanProductCharge, LoanProductSettingsVersion } from '../entities';
import { actingAs } from './authorization';
import { chargeTerms } from './charge.service';
import type { ServiceContext } from './context';
import { isUniqueViolation, optionalText, requireUuid } from './validation';

export type ProductSettingsInput = Partial<{ [K in keyof ProductScheduleSettings]: ProductScheduleSettings[K] | null }>;

export interface CreateLoanProductInput extends LoanProductTerms, Omit<ProductSettingsInput, 'repaymentEvery' | 'repaymentFrequencyType'> {
  description?: string | null;
  allowAttributeOverrides?: AllowAttributeOverrides | null;
  /** Default charges (ids of createCharge definitions in the product's currency). */
  chargeIds?: string[] | null;
}

export type UpdateLoanProductInput = { [K in keyof Omit<CreateLoanProductInput, 'expectedVersion'>]?: CreateLoanProductInput[K] | null } & {
  /** Optimistic lock: the product's `version` as last read. */
  expectedVersion?: number | null;
};

function cleanOverrides(allow: AllowAttributeOverrides | null | undefined): AllowAttributeOverrides | null {
  if (!allow) return null;
  const out: AllowAttributeOverrides = {};
  for (const [k, v] of Object.entries(allow)) {
    if (!(OVERRIDABLE_ATTRIBUTES as readonly string[]).includes(k)) throw new ValidationError(`allowAttributeOverrides.${k}`, `must be one of ${OVERRIDABLE_ATTRIBUTES.join(', ')}`);
    if (v === true) out[k as keyof AllowAttributeOverrides] = true;
  }
  return Object.keys(out).length ? out : null;
}

/** The product's current schedule settings. */
export function settingsOf(p: LoanProduct): ProductScheduleSettings {
  return Object.fromEntries(SCHEDULE_SETTING_FIELDS.map((k) => [k, p[k] ?? null])) as unknown as ProductScheduleSettings;
}

/** The product's default charges, as the schedule engine takes them. */
export async function productCharges(ctx: Pick<ServiceContext, 'em'>, productId: string): Promise<{ charge: Charge; terms: ChargeTerms }[]> {
  const rows = await ctx.em.find(LoanProductCharge, { product: productId }, { populate: ['charge'], orderBy: { id: 'asc' } });
  return rows.map((r) => ({ charge: r.charge.getEntity(), terms: chargeTerms(r.charge.getEntity()) }));
}

async function resolveCharges(ctx: ServiceContext, currencyCode: string, ids: readonly string[]): Promise<Charge[]> {
  const charges: Charge[] = [];
  for (const [i, raw] of ids.entries()) {
    const field = `chargeIds[${i}]`;
    const c = await ctx.em.findOne(Charge, { id: requireUuid(field, raw) });
    if (!c) throw new ValidationError(field, 'no charge with this id');
    if (!c.active) throw new ValidationError(field, `charge "${c.name}" is inactive`);
    if (c.currencyCode !== currencyCode) throw new ValidationError(field, `charge "${c.name}" is in ${c.currencyCode}, the product in ${currencyCode}`);
    if (c.chargeTimeType === 'SPECIFIED_DUE_DATE') throw new ValidationError(field, 'a SPECIFIED_DUE_DATE charge needs a date: add it to a loan (addLoanCharge)');
    if (charges.some((x) => x.id === c.id)) throw new ValidationError(field, 'is listed twice');
    charges.push(c);
  }
  return charges;
}

function limitsOf(p: Pick<LoanProduct, 'currencyCode' | 'minPrincipal' | 'minInterestRate' | 'minNumberOfRepayments'>) {
  return { currencyCode: p.currencyCode, minPrincipal: p.minPrincipal.toFixed(), minInterestRate: p.minInterestRate.toFixed(), minNumberOfRepayments: p.minNumberOfRepayments };
}

async function writeVersion(ctx: ServiceContext, product: LoanProduct, charges: Charge[], rewrite: boolean): Promise<void> {
  const values = { settings: settingsOf(product), allowAttributeOverrides: product.allowAttributeOverrides ?? null, charges: charges.map((c) => chargeTerms(c)), createdBy: ctx.actor.id };
  const existing = rewrite ? await ctx.em.findOne(LoanProductSettingsVersion, { product: product.id, version: product.settingsVersion }) : null;
  if (existing) Object.assign(existing, values);
  else ctx.em.create(LoanProductSettingsVersion, { product: product.id, version: product.settingsVersion, ...values });
}

function setSettings(product: LoanProduct, s: ProductScheduleSettings): void {
  for (const k of SCHEDULE_SETTING_FIELDS) (product as unknown as Record<string, unknown>)[k] = s[k];
}

/** Defines a loan product with its schedule settings and default charges (ADMIN); settings version 1. */
export async function createLoanProduct(ctx: ServiceContext, input: CreateLoanProductInput): Promise<LoanProduct> {
  const terms: LoanProductTerms = { ...input, name: input.name.trim() };
  validateLoanProduct(terms);
  const settings = withDefaults({ ...stripNulls(input), repaymentEvery: terms.repaymentEvery, repaymentFrequencyType: terms.repaymentFrequencyType }, terms.currencyCode);
  const product = ctx.em.create(LoanProduct, {
    name: terms.name,
    description: optionalText('description', input.description, 500),
    currencyCode: terms.currencyCode,
    digitsAfterDecimal: settings.digitsAfterDecimal,
    minPrincipal: new Decimal(terms.minPrincipal),
    maxPrincipal: new Decimal(terms.maxPrincipal),
    minInterestRate: new Decimal(terms.minInterestRate),
    maxInterestRate: new Decimal(terms.maxInterestRate),
    minNumberOfRepayments: terms.minNumberOfRepayments,
    maxNumberOfRepayments: terms.maxNumberOfRepayments,
    repaymentEvery: terms.repaymentEvery,
    repaymentFrequencyType: terms.repaymentFrequencyType,
    allowAttributeOverrides: cleanOverrides(input.allowAttributeOverrides),
  });
  validateProductSettings(settings, limitsOf(product));
  setSettings(product, settings);
  const charges = await resolveCharges(ctx, product.currencyCode, input.chargeIds ?? []);
  try {
    await ctx.em.persistAndFlush(product);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`A loan product named "${terms.name}" already exists`, 'name');
    throw err;
  }
  for (const c of charges) ctx.em.create(LoanProductCharge, { product: product.id, charge: c.id });
  await writeVersion(ctx, product, charges, false);
  await ctx.em.flush();
  return product;
}

function stripNulls<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

/**
 * Changes a product (ADMIN). Without loans everything may change, in place. With loans the currency stays;
 * changed schedule settings, overrides or charges make a new settings version: loans already offered keep
 * theirs, new applications and offers take the new one.
 */
export async function updateLoanProduct(ctx: ServiceContext, id: string, input: UpdateLoanProductInput): Promise<LoanProduct> {
  actingAs(ctx.actor, ['ADMIN']);
  return ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    const product = await em.findOne(LoanProduct, { id: requireUuid('id', id) });
    if (!product) throw new NotFoundError('Loan product', id, 'id');
    if (input.expectedVersion != null && input.expectedVersion !== product.version) {
      throw new ConflictError(`Loan product ${product.id} is at version ${product.version}, not ${input.expectedVersion}: read it again`, 'expectedVersion');
    }
    const hasLoans = (await em.count(Loan, { product: product.id })) > 0;
    const given = stripNulls(input);
    if (hasLoans && given.currencyCode && given.currencyCode !== product.currencyCode) {
      throw new ConflictError('The currency of a product with loans cannot change', 'currencyCode');
    }
    const limits: LoanProductTerms = {
      name: (given.name ?? product.name).trim(),
      currencyCode: given.currencyCode ?? product.currencyCode,
      minPrincipal: given.minPrincipal ?? product.minPrincipal.toFixed(),
      maxPrincipal: given.maxPrincipal ?? product.maxPrincipal.toFixed(),
      minInterestRate: given.minInterestRate ?? product.minInterestRate.toFixed(),
      maxInterestRate: given.maxInterestRate ?? product.maxInterestRate.toFixed(),
      minNumberOfRepayments: given.minNumberOfRepayments ?? product.minNumberOfRepayments,
      maxNumberOfRepayments: given.maxNumberOfRepayments ?? product.maxNumberOfRepayments,
      repaymentEvery: given.repaymentEvery ?? product.repaymentEvery,
      repaymentFrequencyType: given.repaymentFrequencyType ?? product.repaymentFrequencyType,
    };
    validateLoanProduct(limits);
    const before = settingsOf(product);
    const currencyChanged = limits.currencyCode !== product.currencyCode;
    const settings = withDefaults(
      { ...before, ...(currencyChanged && given.digitsAfterDecimal == null ? { digitsAfterDecimal: undefined } : {}), ...stripNulls(input), repaymentEvery: limits.repaymentEvery, repaymentFrequencyType: limits.repaymentFrequencyType },
      limits.currencyCode,
    );
    if (input.installmentAmountInMultiplesOf === null) settings.installmentAmountInMultiplesOf = null;
    validateProductSettings(settings, {
      currencyCode: limits.currencyCode, minPrincipal: limits.minPrincipal, minInterestRate: limits.minInterestRate, minNumberOfRepayments: limits.minNumberOfRepayments,
    });
    const allow = input.allowAttributeOverrides === undefined ? product.allowAttributeOverrides ?? null : cleanOverrides(input.allowAttributeOverrides);
    const oldCharges = (await productCharges(tx, product.id)).map((x) => x.charge);
    const charges = input.chargeIds == null ? oldCharges : await resolveCharges(tx, limits.currencyCode, input.chargeIds);
    if (input.chargeIds == null && currencyChanged && charges.length) throw new ValidationError('chargeIds', `the product's charges are in ${product.currencyCode}: give charges in ${limits.currencyCode}`);

    const settingsChanged =
      JSON.stringify(settings) !== JSON.stringify(before) ||
      JSON.stringify(allow) !== JSON.stringify(product.allowAttributeOverrides ?? null) ||
      charges.map((c) => c.id).join() !== oldCharges.map((c) => c.id).join();

    Object.assign(product, {
      name: limits.name,
      description: input.description === undefined ? product.description : optionalText('description', input.description, 500),
      currencyCode: limits.currencyCode,
      minPrincipal: new Decimal(limits.minPrincipal),
      maxPrincipal: new Decimal(limits.maxPrincipal),
      minInterestRate: new Decimal(limits.minInterestRate),
      maxInterestRate: new Decimal(limits.maxInterestRate),
      minNumberOfRepayments: limits.minNumberOfRepayments,
      maxNumberOfRepayments: limits.maxNumberOfRepayments,
      allowAttributeOverrides: allow,
    });
    setSettings(product, settings);
    if (settingsChanged) {
      if (hasLoans) product.settingsVersion += 1;
      await em.nativeDelete(LoanProductCharge, { product: product.id });
      for (const c of charges) em.create(LoanProductCharge, { product: product.id, charge: c.id });
      await writeVersion(tx, product, charges, !hasLoans);
    }
    try {
      await em.flush();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`A loan product named "${limits.name}" already exists`, 'name');
      throw err;
    }
    return product;
  });
}

export async function getLoanProduct(ctx: ServiceContext, id: string): Promise<LoanProduct> {
  const product = await ctx.em.findOne(LoanProduct, { id: requireUuid('id', id) });
  if (!product) throw new NotFoundError('Loan product', id, 'id');
  return product;
}

export async function listLoanProducts(ctx: ServiceContext): Promise<LoanProduct[]> {
  return ctx.em.find(LoanProduct, {}, { orderBy: { name: 'asc' } });
}

export async function productSettingsHistory(ctx: ServiceContext, productId: string): Promise<LoanProductSettingsVersion[]> {
  return ctx.em.find(LoanProductSettingsVersion, { product: productId }, { orderBy: { version: 'asc' } });
}

/**
 * A loan's schedule settings under the product as it stands now: its settings version, the loan's
 * allowed overrides applied, its default charges. Stored on the loan at application and at each offer.
 */
export async function resolveLoanSettings(ctx: Pick<ServiceContext, 'em'>, product: LoanProduct, overrides?: LoanSettingOverrides | null): Promise<LoanScheduleSettings> {
  const settings = applyOverrides(settingsOf(product), product.allowAttributeOverrides, overrides);
  const charges = (await productCharges(ctx, product.id)).map((x) => x.terms);
  return { ...settings, currencyCode: product.currencyCode, productSettingsVersion: product.settingsVersion, charges };
}

/** The product as the pure domain sees it (strings for money). */
export function productTerms(p: LoanProduct): LoanProductTerms {
  return {
    name: p.name,
    currencyCode: p.currencyCode,
    minPrincipal: p.minPrincipal.toFixed(),
    maxPrincipal: p.maxPrincipal.toFixed(),
    minInterestRate: p.minInterestRate.toFixed(),
    maxInterestRate: p.maxInterestRate.toFixed(),
    minNumberOfRepayments: p.minNumberOfRepayments,
    maxNumberOfRepayments: p.maxNumberOfRepayments,
    repaymentEvery: p.repaymentEvery,
    repaymentFrequencyType: p.repaymentFrequencyType,
  };
}
