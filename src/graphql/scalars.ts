import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { isLocalDate } from '../domain/dates';
import { Decimal, decimalFitProblem, isDecimalString } from '../domain/money';

function badDecimal(problem?: string): GraphQLError {
  return new GraphQLError(problem ? `Decimal ${problem}` : 'Decimal must be a string holding a plain decimal number, e.g. "1250.50"', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

function parseDecimalInput(value: unknown): string {
  if (!isDecimalString(value)) throw badDecimal();
  const problem = decimalFitProblem(value);
  if (problem) throw badDecimal(problem);
  return value;
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
  parseValue: parseDecimalInput,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badDecimal();
    return parseDecimalInput(ast.value);
  },
});

function badDate(): GraphQLError {
  return new GraphQLError('LocalDate must be a real calendar date YYYY-MM-DD between 1900-01-01 and 2999-12-31', { extensions: { code: 'BAD_USER_INPUT' } });
}

/**
 * `YYYY-MM-DD`, a calendar date without time zone (business dates, due dates, birth dates). Only real
 * dates in a sane range (1900–2999): year 0 or 31 February never reach a service or a workflow.
 */
export const LocalDateScalar = new GraphQLScalarType<string, string>({
  name: 'LocalDate',
  description: 'A calendar date YYYY-MM-DD (1900-01-01 to 2999-12-31), without time zone.',
  serialize(value) {
    if (typeof value === 'string') return value.slice(0, 10);
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    throw new GraphQLError('LocalDate cannot represent this value');
  },
  parseValue(value) {
    if (!isLocalDate(value)) throw badDate();
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !isLocalDate(ast.value)) throw badDate();
    return ast.value;
  },
});
/** An instant, ISO 8601 with offset. */
export const DateTimeScalar = DateTimeResolver;
