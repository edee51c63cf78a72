import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';
import { Decimal, isDecimalString } from '../domain/money';

function badDecimal(): GraphQLError {
  return new GraphQLError('Decimal must be a string holding a plain decimal number, e.g. "1250.50"', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

/**
 * Money and rates on the wire: a string, never a float, so no amount is ever rounded by JSON.
 * Input accepts only strings like "-12.50"; output is decimal.js's fixed notation.
 */
export const DecimalScalar = new GraphQLScalarType<Decimal | string, string>({
  name: 'Decimal',
  description: 'An exact decimal number as a string, e.g. "1250.50". Used for all money and rates.',
  serialize(value) {
    if (Decimal.isDecimal(value)) return value.toFixed();
    if (isDecimalString(value)) return value;
    throw new GraphQLError('Decimal cannot represent a non-decimal value');
  },
  parseValue(value) {
    if (!isDecimalString(value)) throw badDecimal();
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !isDecimalString(ast.value)) throw badDecimal();
    return ast.value;
  },
});

/** `YYYY-MM-DD`, a calendar date without time zone (business dates, due dates, birth dates). */
export const LocalDateScalar = LocalDateResolver;
/** An instant, ISO 8601 with offset. */
export const DateTimeScalar = DateTimeResolver;
