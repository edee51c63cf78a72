/**
 * Product settings, loan overrides, holidays and charges in the schedule: rules worked by hand, and
 * fast-check invariants (installments sum to the principal whatever the first repayment date and the
 * calendar; the disbursement-charge journal balances).
 */
import fc from 'fast-check';
import {
  addDays, adjustDueDate, applyOverrides, Decimal, generateSchedule, LEGACY_SCHEDULE_SETTINGS, termsFromSettings, validateProductSettings,
  weekdayOf, withDefaults, type LoanScheduleSettings, type LoanTerms,
} from '../../src/domain';
import { journalLines, zeroPortions } from '../../src/domain/ledger';

const settings = (over: Partial<LoanScheduleSettings> = {}): LoanScheduleSettings => ({
  ...withDefaults({ repaymentEvery: 1, repaymentFrequencyType: 'MONTHS' }, 'USD'), currencyCode: 'USD', productSettingsVersion: 1, charges: [], ...over,
});
const loan = { principal: '1000', annualNominalInterestRate: '12', numberOfRepayments: 6, expectedDisbursementDate: '2024-01-15' };

describe('product settings', () => {
  it('defaults to what activation used before products carried settings', () => {
    expect(withDefaults({ repaymentEvery: 1, repaymentFrequencyType: 'MONTHS' }, 'JPY')).toMatchObject({ ...LEGACY_SCHEDULE_SETTINGS, digitsAfterDecimal: 0 });
  });

  it('names the setting that cannot work for the shortest loan of the product', () => {
    const limits = { currencyCode: 'USD', minPrincipal: '100', minInterestRate: '0', minNumberOfRepayments: 3 };
    expect(() => validateProductSettings(settings({ graceOnPrincipalPayment: 3 }), limits)).toThrow(/graceOnPrincipalPayment/);
    expect(() => validateProductSettings(settings({ interestType: 'FLAT', loanScheduleType: 'PROGRESSIVE' }), limits)).toThrow(/loanScheduleType/);
    expect(() => validateProductSettings(settings({ digitsAfterDecimal: 3 }), limits)).toThrow(/digitsAfterDecimal/);
    expect(validateProductSettings(settings({ graceOnPrincipalPayment: 2 }), limits).graceOnPrincipalPayment).toBe(2);
  });

  it('applies only the overrides the product allows (grace covered by graceOnPrincipalAndInterestPayment)', () => {
    const s = settings();
    expect(() => applyOverrides(s, null, { interestType: 'FLAT' })).toThrow(/overrides.interestType/);
    expect(applyOverrides(s, null, { interestType: 'DECLINING_BALANCE' }).interestType).toBe('DECLINING_BALANCE'); // same value: no override
    expect(applyOverrides(s, { graceOnPrincipalAndInterestPayment: true }, { graceOnPrincipalPayment: 2, graceOnInterestCharged: 1 })).toMatchObject({ graceOnPrincipalPayment: 2, graceOnInterestCharged: 1 });
    expect(() => applyOverrides(s, { interestType: true }, { repaymentEvery: 2 })).toThrow(/overrides.repaymentEvery/);
  });

  it('drops a first repayment date that is not after the disbursement (a loan booked late)', () => {
    expect(termsFromSettings(settings(), { ...loan, repaymentsStartingFromDate: '2024-01-15' }).repaymentsStartingFromDate).toBeNull();
    expect(termsFromSettings(settings(), { ...loan, repaymentsStartingFromDate: '2024-02-01' }).repaymentsStartingFromDate).toBe('2024-02-01');
  });
});

describe('holidays and working days', () => {
  const calendar = { nonWorkingDays: ['SATURDAY', 'SUNDAY'] as const, holidays: [{ fromDate: '2024-04-01', toDate: '2024-04-01' }] };
  it('knows the weekday', () => {
    expect(weekdayOf('1970-01-01')).toBe('THURSDAY');
    expect(weekdayOf('2024-06-15')).toBe('SATURDAY');
  });

  it.each([
    ['SAME_DAY', '2024-06-15', '2024-06-15'],
    ['MOVE_TO_NEXT_WORKING_DAY', '2024-06-15', '2024-06-17'],
    ['MOVE_TO_PREVIOUS_WORKING_DAY', '2024-06-15', '2024-06-14'],
    ['MOVE_TO_NEXT_WORKING_DAY', '2024-04-01', '2024-04-02'], // Easter Monday holiday
    ['MOVE_TO_PREVIOUS_WORKING_DAY', '2024-04-01', '2024-03-29'], // over the weekend to Friday
  ] as const)('%s moves %s to %s', (rescheduleType, date, expected) => {
    expect(adjustDueDate(date, { nonWorkingDays: [...calendar.nonWorkingDays], holidays: calendar.holidays, rescheduleType })).toBe(expected);
  });

  it('moves due dates at schedule generation; the next period is still chained from the regular date', () => {
    // Monthly from 2024-01-15: 2024-06-15 is a Saturday → Monday 2024-06-17; July is back on the 15th.
    const s = generateSchedule(termsFromSettings(settings({ repaymentRescheduleType: 'MOVE_TO_NEXT_WORKING_DAY' }), loan, { nonWorkingDays: ['SATURDAY', 'SUNDAY'], holidays: [] }));
    expect(s.periods.map((p) => p.dueDate)).toEqual(['2024-02-15', '2024-03-15', '2024-04-15', '2024-05-15', '2024-06-17', '2024-07-15']);
    // Daily interest counts the two extra days in June and two fewer in July.
    expect([s.periods[4].daysInPeriod, s.periods[5].daysInPeriod]).toEqual([33, 28]);
    const same = generateSchedule(termsFromSettings(settings(), loan, { nonWorkingDays: ['SATURDAY', 'SUNDAY'], holidays: [] }));
    expect(same.periods[4].dueDate).toBe('2024-06-15');
  });
});

describe('charges in the schedule', () => {
  const base: LoanTerms = termsFromSettings(settings({ interestCalculationPeriodType: 'SAME_AS_REPAYMENT_PERIOD' }), loan);

  it('puts a dated charge on the installment whose period holds the date, a penalty as penalty', () => {
    const s = generateSchedule({ ...base, charges: [
      { name: 'Document fee', amount: '15', chargeTimeType: 'SPECIFIED_DUE_DATE', chargeCalculationType: 'FLAT', dueDate: '2024-03-20' },
      { name: 'Late document', amount: '1', chargeTimeType: 'SPECIFIED_DUE_DATE', chargeCalculationType: 'PERCENT_OF_AMOUNT', dueDate: '2024-02-15', penalty: true },
    ] });
    // 2024-03-20 lies in (2024-03-15, 2024-04-15]: installment 3. 1 % of the 1000 principal on 2024-02-15: installment 1.
    expect(s.periods.map((p) => p.feeChargesDue)).toEqual(['0.00', '0.00', '15.00', '0.00', '0.00', '0.00']);
    expect(s.periods.map((p) => p.penaltyChargesDue)).toEqual(['10.00', '0.00', '0.00', '0.00', '0.00', '0.00']);
    expect(s.totalPenaltyCharges).toBe('10.00');
  });

  it('computes an installment fee as a percent of each installment (principal, interest, or both)', () => {
    const plain = generateSchedule(base);
    const s = generateSchedule({ ...base, charges: [{ amount: '10', chargeTimeType: 'INSTALLMENT_FEE', chargeCalculationType: 'PERCENT_OF_INTEREST' }] });
    s.periods.forEach((p, i) => expect(p.feeChargesDue).toBe(new Decimal(plain.periods[i].interestDue).times(0.1).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2)));
  });

  it('ignores OVERDUE_INSTALLMENT charges (close of business applies them) and refuses a dated charge without a date', () => {
    const s = generateSchedule({ ...base, charges: [{ amount: '5', chargeTimeType: 'OVERDUE_INSTALLMENT', chargeCalculationType: 'FLAT', penalty: true }] });
    expect(s.totalPenaltyCharges).toBe('0.00');
    expect(() => generateSchedule({ ...base, charges: [{ amount: '5', chargeTimeType: 'SPECIFIED_DUE_DATE', chargeCalculationType: 'FLAT' }] })).toThrow(/charges\[0\].dueDate/);
  });

  it('books a charge paid at disbursement as fee income against the fund source, balanced, under both rules', () => {
    for (const rule of ['CASH', 'ACCRUAL_PERIODIC'] as const) {
      const lines = journalLines('REPAYMENT_AT_DISBURSEMENT', rule, new Decimal('50'), { ...zeroPortions(), fee: new Decimal('50') });
      expect(lines.map((l) => [l.role, l.entryType, l.amount.toFixed()])).toEqual([['FUND_SOURCE', 'DEBIT', '50'], ['INCOME_FROM_FEES', 'CREDIT', '50']]);
    }
  });
});

describe('invariants with first repayment dates, calendars and charges', () => {
  it('principal parts sum to the principal, balances end at zero, due dates increase and avoid non-working days where the rule moves them', () => {
    fc.assert(
      fc.property(
        fc.record({
          cents: fc.integer({ min: 10_000, max: 10_000_000 }),
          rate: fc.integer({ min: 0, max: 40_000 }),
          n: fc.integer({ min: 1, max: 36 }),
          offset: fc.integer({ min: 0, max: 2000 }),
          firstAfter: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
          progressive: fc.boolean(),
          daily: fc.boolean(),
          rule: fc.constantFrom('SAME_DAY', 'MOVE_TO_NEXT_WORKING_DAY', 'MOVE_TO_PREVIOUS_WORKING_DAY' as const),
          weekend: fc.subarray(['SATURDAY', 'SUNDAY', 'FRIDAY'] as const),
          fee: fc.integer({ min: 0, max: 1000 }),
        }),
        (r) => {
          const disbursed = addDays('2020-01-01', r.offset);
          const s = settings({
            loanScheduleType: r.progressive ? 'PROGRESSIVE' : 'CUMULATIVE', repaymentRescheduleType: r.rule,
            interestCalculationPeriodType: r.daily ? 'DAILY' : 'SAME_AS_REPAYMENT_PERIOD', daysInYearType: r.daily ? 'DAYS_360' : 'ACTUAL',
            charges: [{ name: 'fee', amount: new Decimal(r.fee).div(100).toFixed(), chargeTimeType: 'INSTALLMENT_FEE', chargeCalculationType: 'FLAT' }],
          });
          const calendar = { nonWorkingDays: [...r.weekend], holidays: [] };
          const schedule = generateSchedule(termsFromSettings(s, {
            principal: new Decimal(r.cents).div(100).toFixed(2), annualNominalInterestRate: new Decimal(r.rate).div(1000).toFixed(), numberOfRepayments: r.n,
            expectedDisbursementDate: disbursed, repaymentsStartingFromDate: r.firstAfter ? addDays(disbursed, r.firstAfter) : null,
          }, calendar));
          const principal = schedule.periods.reduce((acc, p) => acc.plus(p.principalDue), new Decimal(0));
          expect(principal.toFixed(2)).toBe(new Decimal(r.cents).div(100).toFixed(2));
          expect(schedule.periods[schedule.periods.length - 1].principalLoanBalanceOutstanding).toBe('0.00');
          let previous = disbursed;
          for (const p of schedule.periods) {
            expect(p.dueDate > previous).toBe(true);
            expect(p.feeChargesDue).toBe(new Decimal(r.fee).div(100).toFixed(2));
            previous = p.dueDate;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
