/**
 * Risk scoring through a rule set that lives in the database and ADMIN edits: conditions over facts
 * about the applicant (json-rules-engine's condition syntax: all/any, fact, operator, value) that
 * add score points, reject, ask for manual review, require approval levels or cap the principal.
 */
import { ValidationError } from './errors';
import { Decimal } from './money';
import { APPROVAL_LEVELS, type ApprovalLevel, type RiskResult } from './origination';

export type FactValue = string | number | boolean | null;
export type Facts = Record<string, FactValue>;

const OPERATORS = ['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'in', 'notIn'] as const;
type Operator = (typeof OPERATORS)[number];

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { fact: string; operator: Operator; value: FactValue | FactValue[] };

export type RuleEvent =
  | { type: 'score'; params: { points: number } }
  | { type: 'reject'; params: { reason: string } }
  | { type: 'manualReview'; params: { reason: string } }
  | { type: 'requireApproval'; params: { level: ApprovalLevel } }
  | { type: 'limitPrincipal'; params: { max: string } };

export interface RiskRule {
  name: string;
  conditions: Condition;
  event: RuleEvent;
}

export interface RuleSet {
  baseScore: number;
  rules: RiskRule[];
  /** Highest band first: the first whose minScore the score reaches. */
  bands: { band: string; minScore: number }[];
  manualReviewBands: string[];
  rejectBands: string[];
}

/** A sensible starting rule set; ADMIN replaces it through GraphQL. */
export const DEFAULT_RULE_SET: RuleSet = {
  baseScore: 50,
  rules: [
    { name: 'no declared income', conditions: { all: [{ fact: 'monthlyIncome', operator: 'equal', value: null }] }, event: { type: 'manualReview', params: { reason: 'no declared income' } } },
    { name: 'debt-to-income below 30 %', conditions: { all: [{ fact: 'debtToIncome', operator: 'lessThan', value: 0.3 }] }, event: { type: 'score', params: { points: 25 } } },
    { name: 'debt-to-income 30-45 %', conditions: { all: [{ fact: 'debtToIncome', operator: 'greaterThanInclusive', value: 0.3 }, { fact: 'debtToIncome', operator: 'lessThan', value: 0.45 }] }, event: { type: 'score', params: { points: 5 } } },
    { name: 'debt-to-income above 60 %', conditions: { all: [{ fact: 'debtToIncome', operator: 'greaterThanInclusive', value: 0.6 }] }, event: { type: 'reject', params: { reason: 'debt-to-income above 60 %' } } },
    { name: 'employed 2+ years', conditions: { all: [{ fact: 'employmentStatus', operator: 'in', value: ['EMPLOYED', 'SELF_EMPLOYED'] }, { fact: 'employmentYears', operator: 'greaterThanInclusive', value: 2 }] }, event: { type: 'score', params: { points: 15 } } },
    { name: 'unemployed', conditions: { all: [{ fact: 'employmentStatus', operator: 'equal', value: 'UNEMPLOYED' }] }, event: { type: 'score', params: { points: -30 } } },
    { name: 'already borrowing', conditions: { all: [{ fact: 'activeLoansOnBook', operator: 'greaterThanInclusive', value: 2 }] }, event: { type: 'score', params: { points: -15 } } },
    { name: 'large amount needs management', conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 20000 }] }, event: { type: 'requireApproval', params: { level: 'MANAGEMENT' } } },
    { name: 'very large amount needs the credit committee', conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 100000 }] }, event: { type: 'requireApproval', params: { level: 'CREDIT_COMMITTEE' } } },
  ],
  bands: [
    { band: 'A', minScore: 80 },
    { band: 'B', minScore: 60 },
    { band: 'C', minScore: 40 },
    { band: 'D', minScore: -1000000 },
  ],
  manualReviewBands: ['C'],
  rejectBands: ['D'],
};

function compare(fact: FactValue, operator: Operator, value: FactValue | FactValue[]): boolean {
  switch (operator) {
    case 'equal':
      return fact === value;
    case 'notEqual':
      return fact !== value;
    case 'in':
      return Array.isArray(value) && value.includes(fact);
    case 'notIn':
      return Array.isArray(value) && !value.includes(fact);
    default: {
      // Numeric comparisons never match a missing fact.
      if (fact === null || typeof value !== 'number' || typeof fact !== 'number') return false;
      if (operator === 'lessThan') return fact < value;
      if (operator === 'lessThanInclusive') return fact <= value;
      if (operator === 'greaterThan') return fact > value;
      return fact >= value;
    }
  }
}

export function matches(condition: Condition, facts: Facts): boolean {
  if ('all' in condition) return condition.all.every((c) => matches(c, facts));
  if ('any' in condition) return condition.any.some((c) => matches(c, facts));
  return compare(facts[condition.fact] ?? null, condition.operator, condition.value);
}

function validateCondition(c: unknown, path: string): void {
  const cond = c as Record<string, unknown>;
  if (cond && Array.isArray(cond.all)) return cond.all.forEach((x, i) => validateCondition(x, `${path}.all[${i}]`));
  if (cond && Array.isArray(cond.any)) return cond.any.forEach((x, i) => validateCondition(x, `${path}.any[${i}]`));
  if (!cond || typeof cond.fact !== 'string') throw new ValidationError(`${path}.fact`, 'must name a fact');
  if (!(OPERATORS as readonly string[]).includes(cond.operator as string)) throw new ValidationError(`${path}.operator`, `must be one of ${OPERATORS.join(', ')}`);
}

/** Checks an edited rule set before it is stored. */
export function validateRuleSet(input: unknown): RuleSet {
  const rs = input as RuleSet;
  if (!rs || typeof rs !== 'object') throw new ValidationError('ruleSet', 'must be an object');
  if (typeof rs.baseScore !== 'number') throw new ValidationError('ruleSet.baseScore', 'must be a number');
  if (!Array.isArray(rs.rules)) throw new ValidationError('ruleSet.rules', 'must be a list');
  rs.rules.forEach((rule, i) => {
    if (!rule || typeof rule.name !== 'string' || !rule.name) throw new ValidationError(`ruleSet.rules[${i}].name`, 'is required');
    validateCondition(rule.conditions, `ruleSet.rules[${i}].conditions`);
    const e = rule.event as { type?: string; params?: Record<string, unknown> };
    const p = e?.params ?? {};
    const ok =
      (e?.type === 'score' && typeof p.points === 'number') ||
      ((e?.type === 'reject' || e?.type === 'manualReview') && typeof p.reason === 'string') ||
      (e?.type === 'requireApproval' && (APPROVAL_LEVELS as readonly string[]).includes(p.level as string)) ||
      (e?.type === 'limitPrincipal' && typeof p.max === 'string' && /^\d+(\.\d+)?$/.test(p.max));
    if (!ok) throw new ValidationError(`ruleSet.rules[${i}].event`, 'must be score{points}, reject{reason}, manualReview{reason}, requireApproval{level} or limitPrincipal{max}');
  });
  if (!Array.isArray(rs.bands) || rs.bands.length === 0) throw new ValidationError('ruleSet.bands', 'must list at least one band');
  if (!Array.isArray(rs.manualReviewBands) || !Array.isArray(rs.rejectBands)) throw new ValidationError('ruleSet', 'manualReviewBands and rejectBands must be lists');
  return rs;
}

/** Runs the rules over the facts: score, band, decision, required approval levels, principal cap. */
export function assessRisk(ruleSet: RuleSet, facts: Facts): RiskResult {
  let score = ruleSet.baseScore;
  const reasons: string[] = [];
  const levels = new Set<ApprovalLevel>(['INTERNAL']);
  let reject = false;
  let manual = false;
  let maxPrincipal: Decimal | null = null;
  for (const rule of ruleSet.rules) {
    if (!matches(rule.conditions, facts)) continue;
    const e = rule.event;
    if (e.type === 'score') score += e.params.points;
    else if (e.type === 'reject') {
      reject = true;
      reasons.push(e.params.reason);
    } else if (e.type === 'manualReview') {
      manual = true;
      reasons.push(e.params.reason);
    }
    else if (e.type === 'requireApproval') levels.add(e.params.level);
    else if (e.type === 'limitPrincipal') maxPrincipal = maxPrincipal ? Decimal.min(maxPrincipal, e.params.max) : new Decimal(e.params.max);
  }
  const bands = [...ruleSet.bands].sort((a, b) => b.minScore - a.minScore);
  const band = (bands.find((b) => score >= b.minScore) ?? bands[bands.length - 1]).band;
  if (ruleSet.rejectBands.includes(band)) {
    reject = true;
    reasons.push(`score ${score} is in band ${band}`);
  }
  if (ruleSet.manualReviewBands.includes(band)) {
    manual = true;
    reasons.push(`band ${band} needs a risk manager's review`);
  }
  return {
    score,
    band,
    decision: reject ? 'AUTO_REJECT' : manual ? 'MANUAL_REVIEW' : 'AUTO_APPROVE',
    requiredApprovals: APPROVAL_LEVELS.filter((l) => levels.has(l)),
    reasons,
    maxPrincipal: maxPrincipal ? (maxPrincipal as Decimal).toFixed() : null,
    facts,
  };
}
