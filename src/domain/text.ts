/**
 * Text that can be stored: PostgreSQL rejects NUL in text columns and UTF-8 cannot encode a lone
 * UTF-16 surrogate, so either one would fail deep in a write (or in a workflow's activity). Pure.
 */
import { ValidationError } from './errors';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Longest string any input may carry (columns are shorter; their own checks name the real limit). */
export const MAX_INPUT_STRING_LENGTH = 10_000;

/** Why a string cannot be stored, or null when it can. */
export function textProblem(value: string, max = MAX_INPUT_STRING_LENGTH): string | null {
  if (value.length > max) return `must be at most ${max} characters`;
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (no unpaired surrogate)';
  return null;
}

export function assertStorableText(field: string, value: string, max?: number): string {
  const problem = textProblem(value, max);
  if (problem) throw new ValidationError(field, problem);
  return value;
}

/**
 * Walks an input value (GraphQL arguments, form fields) and rejects the first string that cannot be
 * stored, naming its path (e.g. `input.firstName`, `items[2].item`).
 */
export function assertStorableInput(path: string, value: unknown, depth = 0): void {
  if (typeof value === 'string') {
    assertStorableText(path, value);
  } else if (Array.isArray(value)) {
    if (depth > 20) throw new ValidationError(path, 'is nested too deeply');
    value.forEach((v, i) => assertStorableInput(`${path}[${i}]`, v, depth + 1));
  } else if (value && typeof value === 'object' && !(value instanceof Date)) {
    if (depth > 20) throw new ValidationError(path, 'is nested too deeply');
    for (const [k, v] of Object.entries(value)) {
      assertStorableText(`${path}.<key>`, k, 200);
      assertStorableInput(path ? `${path}.${k}` : k, v, depth + 1);
    }
  }
}
