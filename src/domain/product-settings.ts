/**
 * A loan product's schedule settings (Apache Fineract's loan product fields and enum values), which of
 * them a loan may override (Fineract's `allowAttributeOverrides`), and how a loan's terms are resolved
 * from them: product settings, then the loan's allowed overrides, then the loan-level terms (amount,
 * rate, number of repayments, dates). Pure: the API, the activities and the tests compute alike.
 */
import { ValidationError } from './errors';
import { isLocalDate, type LocalDate } from './dates';
import { currencyDigits } from './money';
import {
  AMORTIZATION_TYPES, DAYS_IN_MONTH_TYPES, DAYS_IN_YEAR_TYPES, FREQUENCY_TYPES, INTEREST_CALCULATION_PERIOD_TYPES, INTEREST_TYPES,
  LOAN_SCHEDULE_TYPES, validateTerms,
  type AmortizationType, type ChargeTerms, type DaysInMonthType, type DaysInYearType, type FrequencyType, type InterestCalculationPeriodType,
  type InterestType, type LoanScheduleType, type LoanTerms,
} from './schedule';
import { REPAYMENT_RESCHEDULE_TYPES, type RepaymentRescheduleType, type WorkingCalendar } from './holidays';

/** Everything about a schedule that the product decides (a loan may override the allowed ones). */
export interface ProductScheduleSettings {
  repaymentEvery: number;
  repaymentFrequencyType: FrequencyType;
  amortizationType: AmortizationType;
  interestType: InterestType;
  interestCalculationPeriodType: InterestCalculationPeriodType;
  daysInYearType: DaysInYearType;
  daysInMonthType: DaysInMonthType;
  graceOnPrincipalPayment: number;
  graceOnInterestPayment: number;
  graceOnInterestCharged: number;
  inMultiplesOf: number;
  installmentAmountInMultiplesOf: number | null;
  loanScheduleType: LoanScheduleType;
  allowPartialPeriodInterestCalculation: boolean;
  digitsAfterDecimal: number;
  /** What a due date on a holiday or non-working day becomes (Fineract's RepaymentRescheduleType). */
  repaymentRescheduleType: RepaymentRescheduleType;
}

export const SCHEDULE_SETTING_FIELDS = [
  'repaymentEvery', 'repaymentFrequencyType', 'amortizationType', 'interestType', 'interestCalculationPeriodType', 'daysInYearType',
  'daysInMonthType', 'graceOnPrincipalPayment', 'graceOnInterestPayment', 'graceOnInterestCharged', 'inMultiplesOf',
  'installmentAmountInMultiplesOf', 'loanScheduleType', 'allowPartialPeriodInterestCalculation', 'digitsAfterDecimal', 'repaymentRescheduleType',
] as const satisfies readonly (keyof ProductScheduleSettings)[];

/** The settings activation hard-coded before products carried them; products and loans from then keep them. */
export const LEGACY_SCHEDULE_SETTINGS: Omit<ProductScheduleSettings, 'repaymentEvery' | 'repaymentFrequencyType' | 'digitsAfterDecimal'> = {
  amortizationType: 'EQUAL_INSTALLMENTS',
  interestType: 'DECLINING_BALANCE',
  interestCalculationPeriodType: 'DAILY',
  daysInYearType: 'ACTUAL',
  daysInMonthType: 'ACTUAL',
  graceOnPrincipalPayment: 0,
  graceOnInterestPayment: 0,
  graceOnInterestCharged: 0,
  inMultiplesOf: 0,
  installmentAmountInMultiplesOf: null,
  loanScheduleType: 'CUMULATIVE',
  allowPartialPeriodInterestCalculation: false,
  repaymentRescheduleType: 'SAME_DAY',
};

/**
 * Fineract's `allowAttributeOverrides` keys that concern the schedule. `graceOnPrincipalAndInterestPayment`
 * covers the three grace settings, as in Fineract.
 */
export const OVERRIDABLE_ATTRIBUTES = ['amortizationType', 'interestType', 'interestCalculationPeriodType', 'repaymentEvery', 'graceOnPrincipalAndInterestPayment'] as const;
export type OverridableAttribute = (typeof OVERRIDABLE_ATTRIBUTES)[number];
export type AllowAttributeOverrides = Partial<Record<OverridableAttribute, boolean>>;

/** What one loan may set differently from its product (only where the product allows it). */
export interface LoanSettingOverrides {
  amortizationType?: AmortizationType | null;
  interestType?: InterestType | null;
  interestCalculationPeriodType?: InterestCalculationPeriodType | null;
  repaymentEvery?: number | null;
  graceOnPrincipalPayment?: number | null;
  graceOnInterestPayment?: number | null;
  graceOnInterestCharged?: number | null;
}

const OVERRIDE_ATTRIBUTE: Record<keyof LoanSettingOverrides, OverridableAttribute> = {
  amortizationType: 'amortizationType',
  interestType: 'interestType',
  interestCalculationPeriodType: 'interestCalculationPeriodType',
  repaymentEvery: 'repaymentEvery',
  graceOnPrincipalPayment: 'graceOnPrincipalAndInterestPayment',
  graceOnInterestPayment: 'graceOnPrincipalAndInterestPayment',
  graceOnInterestCharged: 'graceOnPrincipalAndInterestPayment',
};

/**
 * A loan's resolved schedule settings: its product's (at the settings version it was offered under) with
 * the loan's overrides applied, the charges it carries and the calendar of non-working days. Stored on
 * the loan so it keeps them whatever later happens to the product.
 */
export interface LoanScheduleSettings extends ProductScheduleSettings {
  currencyCode: string;
  /** The product settings version these were resolved from (null: loans from before versioning). */
  productSettingsVersion: number | null;
  charges: ChargeTerms[];
}

/** The terms a loan is drawn up with (what a borrower negotiates); the rest comes from the product. */
export interface LoanLevelTerms {
  principal: string;
  annualNominalInterestRate: string;
  numberOfRepayments: number;
  expectedDisbursementDate: LocalDate;
  repaymentsStartingFromDate?: LocalDate | null;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

/** Normalises partial settings (defaults from LEGACY_SCHEDULE_SETTINGS and the currency) without checking them. */
export function withDefaults(
  s: { [K in keyof ProductScheduleSettings]?: ProductScheduleSettings[K] | null } & Pick<ProductScheduleSettings, 'repaymentEvery' | 'repaymentFrequencyType'>,
  currencyCode: string,
): ProductScheduleSettings {
  const out = { ...LEGACY_SCHEDULE_SETTINGS, digitsAfterDecimal: currencyDigits(currencyCode), ...s } as ProductScheduleSettings;
  for (const k of SCHEDULE_SETTING_FIELDS) {
    if (out[k] === undefined || (out[k] === null && k !== 'installmentAmountInMultiplesOf')) {
      (out as unknown as Record<string, unknown>)[k] = k === 'digitsAfterDecimal' ? currencyDigits(currencyCode) : (LEGACY_SCHEDULE_SETTINGS as Record<string, unknown>)[k];
    }
  }
  return pick(out, SCHEDULE_SETTING_FIELDS);
}

/**
 * Checks a product's settings by building the schedule terms of its smallest possible loan: every error
 * names the setting. Grace must leave at least one repayment for the shortest loan the product allows.
 */
export function validateProductSettings(
  s: ProductScheduleSettings,
  limits: { currencyCode: string; minPrincipal: string; minInterestRate: string; minNumberOfRepayments: number },
): ProductScheduleSettings {
  if (!(FREQUENCY_TYPES as readonly string[]).includes(s.repaymentFrequencyType)) {
    throw new ValidationError('repaymentFrequencyType', `must be one of ${FREQUENCY_TYPES.join(', ')}`);
  }
  if (!(REPAYMENT_RESCHEDULE_TYPES as readonly string[]).includes(s.repaymentRescheduleType)) {
    throw new ValidationError('repaymentRescheduleType', `must be one of ${REPAYMENT_RESCHEDULE_TYPES.join(', ')}`);
  }
  for (const [field, list] of [
    ['amortizationType', AMORTIZATION_TYPES], ['interestType', INTEREST_TYPES], ['interestCalculationPeriodType', INTEREST_CALCULATION_PERIOD_TYPES],
    ['daysInYearType', DAYS_IN_YEAR_TYPES], ['daysInMonthType', DAYS_IN_MONTH_TYPES], ['loanScheduleType', LOAN_SCHEDULE_TYPES],
  ] as const) {
    if (!(list as readonly string[]).includes(s[field])) throw new ValidationError(field, `must be one of ${list.join(', ')}`);
  }
  for (const field of ['graceOnPrincipalPayment', 'graceOnInterestPayment', 'graceOnInterestCharged'] as const) {
    const g = s[field];
    if (Number.isInteger(g) && g >= limits.minNumberOfRepayments && g > 0) {
      throw new ValidationError(field, `must be shorter than minNumberOfRepayments (${limits.minNumberOfRepayments})`);
    }
  }
  if (s.digitsAfterDecimal > currencyDigits(limits.currencyCode) || s.digitsAfterDecimal < 0 || !Number.isInteger(s.digitsAfterDecimal)) {
    throw new ValidationError('digitsAfterDecimal', `must be a whole number from 0 to ${currencyDigits(limits.currencyCode)}, the digits of ${limits.currencyCode}`);
  }
  validateTerms(termsFromSettings({ ...s, currencyCode: limits.currencyCode, productSettingsVersion: null, charges: [] }, {
    principal: limits.minPrincipal,
    annualNominalInterestRate: limits.minInterestRate,
    numberOfRepayments: limits.minNumberOfRepayments,
    expectedDisbursementDate: '2000-01-01',
  }));
  return s;
}

/** Applies a loan's overrides; an override the product does not allow is a BAD_USER_INPUT naming it. */
export function applyOverrides(settings: ProductScheduleSettings, allow: AllowAttributeOverrides | null | undefined, overrides: LoanSettingOverrides | null | undefined): ProductScheduleSettings {
  const out = { ...settings };
  for (const [key, value] of Object.entries(overrides ?? {}) as [keyof LoanSettingOverrides, unknown][]) {
    if (value === undefined || value === null) continue;
    const attribute = OVERRIDE_ATTRIBUTE[key];
    if (!attribute) throw new ValidationError(`overrides.${key}`, 'is not a setting a loan can override');
    if (value === settings[key]) continue;
    if (!allow?.[attribute]) throw new ValidationError(`overrides.${key}`, `the product does not allow loans to override ${attribute}`);
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** Only the override keys a loan actually set (plain JSON for storage). */
export function compactOverrides(overrides: LoanSettingOverrides | null | undefined): LoanSettingOverrides | null {
  const entries = Object.entries(overrides ?? {}).filter(([k, v]) => v !== undefined && v !== null && k in OVERRIDE_ATTRIBUTE);
  return entries.length ? (Object.fromEntries(entries) as LoanSettingOverrides) : null;
}

/**
 * The engine's terms for a loan: its resolved settings plus the loan-level terms. A first repayment date
 * that is not after the disbursement date (a loan booked later than planned) is dropped, so the schedule
 * starts a regular first period from the disbursement.
 */
export function termsFromSettings(s: LoanScheduleSettings, loan: LoanLevelTerms, calendar?: WorkingCalendar | null): LoanTerms {
  const first = loan.repaymentsStartingFromDate;
  return {
    principal: loan.principal,
    annualNominalInterestRate: loan.annualNominalInterestRate,
    numberOfRepayments: loan.numberOfRepayments,
    expectedDisbursementDate: loan.expectedDisbursementDate,
    repaymentsStartingFromDate: first && isLocalDate(first) && first > loan.expectedDisbursementDate ? first : null,
    ...pick(s, SCHEDULE_SETTING_FIELDS),
    currencyCode: s.currencyCode,
    charges: s.charges,
    calendar: calendar && s.repaymentRescheduleType !== 'SAME_DAY' ? { ...calendar, rescheduleType: s.repaymentRescheduleType } : null,
  };
}
