/**
 * Loan terms as Apache Fineract names them, and their validation. Money and rates are decimal strings,
 * dates `YYYY-MM-DD`. Every bad term throws a ValidationError naming the field.
 */
import { isLocalDate, type LocalDate } from '../dates';
import { ValidationError } from '../errors';
import { currencyDigits, Decimal, isCurrencyCode, parseDecimal } from '../money';
import { REPAYMENT_RESCHEDULE_TYPES, validateCalendar, type ScheduleCalendar } from '../holidays';

export const FREQUENCY_TYPES = ['DAYS', 'WEEKS', 'MONTHS'] as const;
export const AMORTIZATION_TYPES = ['EQUAL_INSTALLMENTS', 'EQUAL_PRINCIPAL'] as const;
export const INTEREST_TYPES = ['DECLINING_BALANCE', 'FLAT'] as const;
export const INTEREST_CALCULATION_PERIOD_TYPES = ['DAILY', 'SAME_AS_REPAYMENT_PERIOD'] as const;
export const DAYS_IN_YEAR_TYPES = ['ACTUAL', 'DAYS_360', 'DAYS_364', 'DAYS_365'] as const;
export const DAYS_IN_MONTH_TYPES = ['ACTUAL', 'DAYS_30'] as const;
export const LOAN_SCHEDULE_TYPES = ['CUMULATIVE', 'PROGRESSIVE'] as const;
/** Fineract's ChargeTimeType values for loans (OVERDUE_INSTALLMENT charges are applied by close of business, not the schedule). */
export const CHARGE_TIME_TYPES = ['DISBURSEMENT', 'SPECIFIED_DUE_DATE', 'INSTALLMENT_FEE', 'OVERDUE_INSTALLMENT'] as const;
export const CHARGE_CALCULATION_TYPES = ['FLAT', 'PERCENT_OF_AMOUNT', 'PERCENT_OF_INTEREST', 'PERCENT_OF_AMOUNT_AND_INTEREST'] as const;

export type FrequencyType = (typeof FREQUENCY_TYPES)[number];
export type AmortizationType = (typeof AMORTIZATION_TYPES)[number];
export type InterestType = (typeof INTEREST_TYPES)[number];
export type InterestCalculationPeriodType = (typeof INTEREST_CALCULATION_PERIOD_TYPES)[number];
export type DaysInYearType = (typeof DAYS_IN_YEAR_TYPES)[number];
export type DaysInMonthType = (typeof DAYS_IN_MONTH_TYPES)[number];
export type LoanScheduleType = (typeof LOAN_SCHEDULE_TYPES)[number];
export type ChargeTimeType = (typeof CHARGE_TIME_TYPES)[number];
export type ChargeCalculationType = (typeof CHARGE_CALCULATION_TYPES)[number];

/** A charge on the loan: at disbursement, on a date, on every installment (or when one is overdue). */
export interface ChargeTerms {
  name?: string | null;
  /** FLAT: an amount; PERCENT_*: a percentage (e.g. "1.5"). */
  amount: string;
  chargeTimeType: ChargeTimeType;
  chargeCalculationType: ChargeCalculationType;
  /** A penalty (penaltyChargesDue, penalty income) rather than a fee. */
  penalty?: boolean | null;
  /** SPECIFIED_DUE_DATE: the date it falls due (it joins the installment whose period holds the date). */
  dueDate?: LocalDate | null;
  /** OVERDUE_INSTALLMENT: days after the due date before it is charged; then every feeInterval days (null: once). */
  graceDays?: number | null;
  feeInterval?: number | null;
}

/** The public contract of `generateSchedule` (field names as in Apache Fineract). */
export interface LoanTerms {
  principal: string;
  /** Percent per year, e.g. "7" for 7 %. */
  annualNominalInterestRate: string;
  numberOfRepayments: number;
  repaymentEvery: number;
  repaymentFrequencyType: FrequencyType;
  amortizationType: AmortizationType;
  interestType: InterestType;
  interestCalculationPeriodType: InterestCalculationPeriodType;
  daysInYearType: DaysInYearType;
  daysInMonthType: DaysInMonthType;
  expectedDisbursementDate: LocalDate;
  repaymentsStartingFromDate?: LocalDate | null;
  graceOnPrincipalPayment?: number | null;
  /** Interest is not collected in these first periods but deferred to the first period after them. */
  graceOnInterestPayment?: number | null;
  /** Interest is not charged at all in these first periods (interest-free). */
  graceOnInterestCharged?: number | null;
  currencyCode: string;
  /** Defaults to the currency's ISO digits. */
  digitsAfterDecimal?: number | null;
  /** Currency rounding multiple (for currencies with 0 digits, e.g. 50 or 100); 0 = none. */
  inMultiplesOf?: number | null;
  /** Rounds the installment amount to this multiple (e.g. 1 or 10); null = none. */
  installmentAmountInMultiplesOf?: number | null;
  loanScheduleType?: LoanScheduleType | null;
  allowPartialPeriodInterestCalculation?: boolean | null;
  charges?: ChargeTerms[] | null;
  /** Non-working days and the rule for a due date on one (moved at schedule generation); null: none. */
  calendar?: ScheduleCalendar | null;
}

/** Terms after validation, with defaults applied and money parsed. */
export interface Terms {
  principal: Decimal;
  annualNominalInterestRate: Decimal;
  numberOfRepayments: number;
  repaymentEvery: number;
  repaymentFrequencyType: FrequencyType;
  amortizationType: AmortizationType;
  interestType: InterestType;
  interestCalculationPeriodType: InterestCalculationPeriodType;
  daysInYearType: DaysInYearType;
  daysInMonthType: DaysInMonthType;
  expectedDisbursementDate: LocalDate;
  repaymentsStartingFromDate: LocalDate | null;
  graceOnPrincipalPayment: number;
  graceOnInterestPayment: number;
  graceOnInterestCharged: number;
  currencyCode: string;
  digitsAfterDecimal: number;
  inMultiplesOf: number;
  installmentAmountInMultiplesOf: number | null;
  loanScheduleType: LoanScheduleType;
  allowPartialPeriodInterestCalculation: boolean;
  charges: { name: string; amount: Decimal; chargeTimeType: ChargeTimeType; chargeCalculationType: ChargeCalculationType; penalty: boolean; dueDate: LocalDate | null }[];
  calendar: ScheduleCalendar | null;
}

const MAX_AMOUNT = new Decimal('1e15');
const MAX_RATE = new Decimal(1000);
const MAX_REPAYMENTS = 1200;

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function integer(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function optionalInteger(field: string, value: unknown, min: number, max: number, fallback: number): number {
  return value === undefined || value === null ? fallback : integer(field, value, min, max);
}

function decimal(field: string, value: unknown): Decimal {
  const d = parseDecimal(value);
  if (!d) throw new ValidationError(field, 'must be a decimal number as a string, e.g. "1000.00"');
  return d;
}

/** Validates and normalises loan terms; throws a ValidationError naming the first bad field. */
export function validateTerms(input: LoanTerms): Terms {
  if (typeof input !== 'object' || input === null) throw new ValidationError('terms', 'must be an object');
  if (!isCurrencyCode(input.currencyCode)) throw new ValidationError('currencyCode', 'must be an ISO 4217 code like "USD"');
  const digitsAfterDecimal = optionalInteger('digitsAfterDecimal', input.digitsAfterDecimal, 0, 6, currencyDigits(input.currencyCode));

  const principal = decimal('principal', input.principal);
  if (principal.lte(0)) throw new ValidationError('principal', 'must be greater than zero');
  if (principal.gt(MAX_AMOUNT)) throw new ValidationError('principal', 'is too large');
  if (principal.decimalPlaces() > digitsAfterDecimal) {
    throw new ValidationError('principal', `must have at most ${digitsAfterDecimal} decimal places`);
  }
  const rate = decimal('annualNominalInterestRate', input.annualNominalInterestRate);
  if (rate.lt(0)) throw new ValidationError('annualNominalInterestRate', 'must not be negative');
  if (rate.gt(MAX_RATE)) throw new ValidationError('annualNominalInterestRate', 'must be at most 1000 percent');

  const numberOfRepayments = integer('numberOfRepayments', input.numberOfRepayments, 1, MAX_REPAYMENTS);
  const repaymentEvery = integer('repaymentEvery', input.repaymentEvery, 1, 1000);
  const repaymentFrequencyType = oneOf('repaymentFrequencyType', input.repaymentFrequencyType, FREQUENCY_TYPES);
  const amortizationType = oneOf('amortizationType', input.amortizationType, AMORTIZATION_TYPES);
  const interestType = oneOf('interestType', input.interestType, INTEREST_TYPES);
  const interestCalculationPeriodType = oneOf('interestCalculationPeriodType', input.interestCalculationPeriodType, INTEREST_CALCULATION_PERIOD_TYPES);
  const daysInYearType = oneOf('daysInYearType', input.daysInYearType, DAYS_IN_YEAR_TYPES);
  const daysInMonthType = oneOf('daysInMonthType', input.daysInMonthType, DAYS_IN_MONTH_TYPES);
  const loanScheduleType = input.loanScheduleType == null ? 'CUMULATIVE' : oneOf('loanScheduleType', input.loanScheduleType, LOAN_SCHEDULE_TYPES);

  if (!isLocalDate(input.expectedDisbursementDate)) throw new ValidationError('expectedDisbursementDate', 'must be a date YYYY-MM-DD');
  const repaymentsStartingFromDate = input.repaymentsStartingFromDate ?? null;
  if (repaymentsStartingFromDate !== null) {
    if (!isLocalDate(repaymentsStartingFromDate)) throw new ValidationError('repaymentsStartingFromDate', 'must be a date YYYY-MM-DD');
    if (repaymentsStartingFromDate <= input.expectedDisbursementDate) {
      throw new ValidationError('repaymentsStartingFromDate', 'must be after expectedDisbursementDate');
    }
  }

  const grace = (field: string, value: unknown) => {
    const g = optionalInteger(field, value, 0, MAX_REPAYMENTS, 0);
    if (g >= numberOfRepayments) throw new ValidationError(field, 'must be shorter than numberOfRepayments');
    return g;
  };
  const graceOnPrincipalPayment = grace('graceOnPrincipalPayment', input.graceOnPrincipalPayment);
  const graceOnInterestPayment = grace('graceOnInterestPayment', input.graceOnInterestPayment);
  const graceOnInterestCharged = grace('graceOnInterestCharged', input.graceOnInterestCharged);

  const inMultiplesOf = optionalInteger('inMultiplesOf', input.inMultiplesOf, 0, 1_000_000, 0);
  const installmentAmountInMultiplesOf =
    input.installmentAmountInMultiplesOf == null ? null : integer('installmentAmountInMultiplesOf', input.installmentAmountInMultiplesOf, 1, 1_000_000);

  if (loanScheduleType === 'PROGRESSIVE' && (interestType !== 'DECLINING_BALANCE' || amortizationType !== 'EQUAL_INSTALLMENTS')) {
    throw new ValidationError('loanScheduleType', 'PROGRESSIVE requires DECLINING_BALANCE interest and EQUAL_INSTALLMENTS amortization');
  }
  if (loanScheduleType === 'PROGRESSIVE' && (graceOnInterestPayment || graceOnInterestCharged)) {
    throw new ValidationError('loanScheduleType', 'PROGRESSIVE schedules support principal grace only');
  }
  if (input.allowPartialPeriodInterestCalculation != null && typeof input.allowPartialPeriodInterestCalculation !== 'boolean') {
    throw new ValidationError('allowPartialPeriodInterestCalculation', 'must be true or false');
  }

  const charges = (input.charges ?? []).map((c, i) => {
    const field = `charges[${i}]`;
    const amount = decimal(`${field}.amount`, c?.amount);
    if (amount.lt(0)) throw new ValidationError(`${field}.amount`, 'must not be negative');
    const chargeCalculationType = oneOf(`${field}.chargeCalculationType`, c.chargeCalculationType, CHARGE_CALCULATION_TYPES);
    if (chargeCalculationType !== 'FLAT' && amount.gt(100)) throw new ValidationError(`${field}.amount`, 'a percentage must be at most 100');
    const chargeTimeType = oneOf(`${field}.chargeTimeType`, c.chargeTimeType, CHARGE_TIME_TYPES);
    let dueDate: LocalDate | null = null;
    if (chargeTimeType === 'SPECIFIED_DUE_DATE') {
      if (!isLocalDate(c.dueDate)) throw new ValidationError(`${field}.dueDate`, 'a SPECIFIED_DUE_DATE charge needs a dueDate YYYY-MM-DD');
      if (c.dueDate < input.expectedDisbursementDate) throw new ValidationError(`${field}.dueDate`, 'must not be before expectedDisbursementDate');
      dueDate = c.dueDate;
    }
    if (chargeTimeType === 'DISBURSEMENT' && (chargeCalculationType === 'PERCENT_OF_INTEREST' || chargeCalculationType === 'PERCENT_OF_AMOUNT_AND_INTEREST')) {
      throw new ValidationError(`${field}.chargeCalculationType`, 'a DISBURSEMENT charge is FLAT or PERCENT_OF_AMOUNT');
    }
    if (c.penalty != null && typeof c.penalty !== 'boolean') throw new ValidationError(`${field}.penalty`, 'must be true or false');
    return {
      name: typeof c.name === 'string' && c.name ? c.name : `charge ${i + 1}`,
      amount,
      chargeTimeType,
      chargeCalculationType,
      penalty: c.penalty ?? false,
      dueDate,
    };
  });

  let calendar: ScheduleCalendar | null = null;
  if (input.calendar) {
    const rescheduleType = oneOf('repaymentRescheduleType', input.calendar.rescheduleType, REPAYMENT_RESCHEDULE_TYPES);
    if (rescheduleType !== 'SAME_DAY') calendar = { ...validateCalendar(input.calendar), rescheduleType };
  }

  return {
    principal,
    annualNominalInterestRate: rate,
    numberOfRepayments,
    repaymentEvery,
    repaymentFrequencyType,
    amortizationType,
    interestType,
    interestCalculationPeriodType,
    daysInYearType,
    daysInMonthType,
    expectedDisbursementDate: input.expectedDisbursementDate,
    repaymentsStartingFromDate,
    graceOnPrincipalPayment,
    graceOnInterestPayment,
    graceOnInterestCharged,
    currencyCode: input.currencyCode,
    digitsAfterDecimal,
    inMultiplesOf,
    installmentAmountInMultiplesOf,
    loanScheduleType,
    allowPartialPeriodInterestCalculation: input.allowPartialPeriodInterestCalculation ?? false,
    charges,
    calendar,
  };
}
