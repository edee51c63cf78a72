import { Type, type EntityProperty, type Platform } from '@mikro-orm/core';
import { Decimal } from '../domain/money';

/** How PostgreSQL returns a zero numeric (`0`, `0.000000`): most money columns of a schedule are zero. */
const ZERO_TEXT = /^0(\.0+)?$/;
const ZERO = new Decimal(0);

/**
 * Maps PostgreSQL `numeric` to decimal.js. The one place money storage is decided: exact numeric in
 * the database, Decimal in code, never a JS number in between (pg returns numeric as a string).
 */
export class DecimalType extends Type<Decimal | null, string | null> {
  convertToDatabaseValue(value: Decimal | string | null): string | null {
    if (value === null || value === undefined) return null;
    return new Decimal(value).toFixed();
  }

  convertToJSValue(value: Decimal | string | null): Decimal | null {
    if (value === null || value === undefined) return null;
    // Decimals are immutable, so every zero can be the one ZERO: a read of a page of schedules then
    // parses a third of the columns it used to (README, read path).
    if (typeof value === 'string' && ZERO_TEXT.test(value)) return ZERO;
    return new Decimal(value);
  }

  compareAsType(): string {
    return 'string';
  }

  /** 100 and 100.000000 are the same amount; don't let the scale the database returns look like a change. */
  compareValues(a: string | null, b: string | null): boolean {
    if (a === b) return true;
    if (a == null || b == null) return false;
    return new Decimal(a).eq(b);
  }

  getColumnType(prop: EntityProperty, _platform: Platform): string {
    return `numeric(${prop.precision ?? 24},${prop.scale ?? 6})`;
  }
}
