import fc from 'fast-check';
import { DomainError, ValidationError } from '../../src/domain/errors';
import { validateLoanApplication, validateLoanProduct, type LoanProductTerms } from '../../src/domain/loan-application';
import { canWithdraw, isTerminalStage, LOAN_STAGES, planWithdrawal } from '../../src/domain/loan-lifecycle';

const product: LoanProductTerms = {
  name: 'Personal',
  currencyCode: 'USD',
  minPrincipal: '500',
  maxPrincipal: '50000',
  minInterestRate: '5',
  maxInterestRate: '30',
  minNumberOfRepayments: 3,
  maxNumberOfRepayments: 60,
  repaymentEvery: 1,
  repaymentFrequencyType: 'MONTHS',
};

const application = { principal: '10000.00', currencyCode: 'USD', annualInterestRate: '12.5', numberOfRepayments: 12 };

function fieldOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as DomainError).code).toBe('BAD_USER_INPUT');
    return (err as DomainError).field;
  }
  return undefined;
}

describe('validateLoanApplication', () => {
  it('accepts terms inside the product, including both bounds', () => {
    expect(fieldOf(() => validateLoanApplication(product, application))).toBeUndefined();
    expect(fieldOf(() => validateLoanApplication(product, { ...application, principal: '500', numberOfRepayments: 3, annualInterestRate: '5' }))).toBeUndefined();
    expect(fieldOf(() => validateLoanApplication(product, { ...application, principal: '50000.00', numberOfRepayments: 60, annualInterestRate: '30' }))).toBeUndefined();
  });

  it.each([
    [{ principal: '499.99' }, 'principal'],
    [{ principal: '50000.01' }, 'principal'],
    [{ principal: '0' }, 'principal'],
    [{ principal: '1e4' }, 'principal'],
    [{ principal: ' 1000' }, 'principal'],
    [{ principal: '1000.005' }, 'principal'],
    [{ currencyCode: 'EUR' }, 'currencyCode'],
    [{ annualInterestRate: '4.99' }, 'annualInterestRate'],
    [{ annualInterestRate: '-1' }, 'annualInterestRate'],
    [{ annualInterestRate: 'NaN' }, 'annualInterestRate'],
    [{ numberOfRepayments: 2 }, 'numberOfRepayments'],
    [{ numberOfRepayments: 61 }, 'numberOfRepayments'],
    [{ numberOfRepayments: 12.5 }, 'numberOfRepayments'],
  ])('rejects %j naming %s', (override, field) => {
    expect(fieldOf(() => validateLoanApplication(product, { ...application, ...override }))).toBe(field);
  });

  it('respects the currency digits (JPY has none)', () => {
    const jpy = { ...product, currencyCode: 'JPY', minPrincipal: '10000', maxPrincipal: '1000000' };
    expect(fieldOf(() => validateLoanApplication(jpy, { ...application, currencyCode: 'JPY', principal: '50000' }))).toBeUndefined();
    expect(fieldOf(() => validateLoanApplication(jpy, { ...application, currencyCode: 'JPY', principal: '50000.5' }))).toBe('principal');
  });

  it('accepts exactly the principals inside [min, max] (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6_000_000 }), (cents) => {
        const principal = (cents / 100).toFixed(2);
        const inside = cents >= 50_000 && cents <= 5_000_000;
        const field = fieldOf(() => validateLoanApplication(product, { ...application, principal }));
        return inside ? field === undefined : field === 'principal';
      }),
    );
  });
});

describe('validateLoanProduct', () => {
  it('accepts a sane product', () => {
    expect(fieldOf(() => validateLoanProduct(product))).toBeUndefined();
  });

  it.each([
    [{ name: '  ' }, 'name'],
    [{ currencyCode: 'US' }, 'currencyCode'],
    [{ minPrincipal: '-5' }, 'minPrincipal'],
    [{ maxPrincipal: '100' }, 'maxPrincipal'],
    [{ maxInterestRate: '1000.01' }, 'maxInterestRate'],
    [{ minInterestRate: '31' }, 'maxInterestRate'],
    [{ minNumberOfRepayments: 0 }, 'minNumberOfRepayments'],
    [{ maxNumberOfRepayments: 2 }, 'maxNumberOfRepayments'],
    [{ repaymentEvery: 0 }, 'repaymentEvery'],
    [{ repaymentFrequencyType: 'YEARS' }, 'repaymentFrequencyType'],
  ])('rejects %j naming %s', (override, field) => {
    expect(fieldOf(() => validateLoanProduct({ ...product, ...override } as LoanProductTerms))).toBe(field);
  });
});

describe('loan lifecycle rules', () => {
  it('allows withdrawal before activation only', () => {
    const allowed = LOAN_STAGES.filter(canWithdraw);
    expect(allowed).toEqual(['APPLICATION', 'KYC_REVIEW', 'RISK_ASSESSMENT', 'DISCUSSION', 'APPROVAL', 'AGREEMENT']);
  });

  it('never allows withdrawing from a terminal stage', () => {
    for (const stage of LOAN_STAGES) if (isTerminalStage(stage)) expect(canWithdraw(stage)).toBe(false);
  });

  it('plans a withdrawal to WITHDRAWN/WITHDRAWN from where the loan is', () => {
    expect(planWithdrawal({ loanId: 'l', stage: 'KYC_REVIEW', status: 'SUBMITTED', version: 4 })).toEqual({
      action: 'WITHDRAWN',
      from: { stage: 'KYC_REVIEW', status: 'SUBMITTED' },
      to: { stage: 'WITHDRAWN', status: 'WITHDRAWN' },
    });
  });
});
