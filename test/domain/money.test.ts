import fc from 'fast-check';
import DecimalJs from 'decimal.js';
import { currencyDigits, Decimal, isDecimalString, parseDecimal, roundMoney, toMoneyString } from '../../src/domain/money';

describe('money', () => {
  it('rounds HALF_EVEN (banker’s rounding), as Fineract does', () => {
    expect(roundMoney('2.345', 2).toFixed()).toBe('2.34');
    expect(roundMoney('2.355', 2).toFixed()).toBe('2.36');
    expect(roundMoney('-2.345', 2).toFixed()).toBe('-2.34');
    expect(roundMoney('0.5', 0).toFixed()).toBe('0');
    expect(roundMoney('1.5', 0).toFixed()).toBe('2');
  });

  it('is exact where floats are not', () => {
    expect(new Decimal('0.1').plus('0.2').toFixed()).toBe('0.3');
    expect(toMoneyString(new Decimal('1e-7'))).toBe('0.0000001');
    expect(toMoneyString('12.5', 2)).toBe('12.50');
  });

  it('never touches decimal.js global configuration', () => {
    expect(DecimalJs.rounding).toBe(DecimalJs.ROUND_HALF_UP);
    expect(Decimal.rounding).toBe(DecimalJs.ROUND_HALF_EVEN);
  });

  it('accepts only plain decimal strings', () => {
    for (const ok of ['0', '12', '-12.50', '0.0001']) expect(isDecimalString(ok)).toBe(true);
    for (const bad of ['', ' 1', '1e5', 'NaN', 'Infinity', '1,000', '.5', '5.', '+5', 12]) expect(isDecimalString(bad)).toBe(false);
    expect(parseDecimal('abc')).toBeUndefined();
  });

  it('knows currency digits', () => {
    expect(currencyDigits('USD')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
  });

  it('round trips any decimal string through parse and toFixed (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 8 }), (units, scale) => {
        const s = new Decimal(units.toString()).dividedBy(new Decimal(10).pow(scale)).toFixed();
        return parseDecimal(s)!.toFixed() === s;
      }),
    );
  });
});
