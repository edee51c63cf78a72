/**
 * Apache Fineract's published schedule scenarios, reproduced to the cent. Each JSON file in cases/
 * holds the terms and the expected installments of one Fineract test (e2e feature file scenario,
 * integration test or unit test), with `source` citing repository path, scenario and line.
 * Amounts are compared as decimals (Fineract prints "278.0" for 278.00). ALGORITHM-NOTES.md beside
 * this file records how Fineract computes each part, with source paths.
 *
 * LoanScheduleGeneratorTest's mid-period disbursement case is expressed as a first repayment date
 * (`repaymentsStartingFromDate`) and checked in first-repayment-date.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal, generateSchedule, type LoanTerms } from '../../../src/domain';

interface ExpectedPeriod {
  period: number;
  dueDate?: string;
  principalDue?: string;
  interestDue?: string;
  totalDue?: string;
  principalLoanBalanceOutstanding?: string | null;
}

interface FineractCase {
  source: string;
  terms: LoanTerms;
  periods: ExpectedPeriod[];
}

const dir = join(__dirname, 'cases');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, f), 'utf8')) as FineractCase] as const);

const FIELDS = ['principalDue', 'interestDue', 'totalDue', 'principalLoanBalanceOutstanding'] as const;

describe('Fineract published schedules', () => {
  it('has the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const [name, c] of cases) {
    it(`${name} — ${c.source.split(' ').slice(1).join(' ').slice(0, 120)}`, () => {
      const schedule = generateSchedule(c.terms);
      expect(schedule.periods).toHaveLength(c.periods.length);
      const actual = schedule.periods.map((p, i) => {
        const e = c.periods[i];
        const row: Record<string, string> = { period: String(p.period) };
        if (e.dueDate) row.dueDate = p.dueDate;
        for (const f of FIELDS) if (e[f] != null && e[f] !== '') row[f] = new Decimal(p[f]).toFixed(2);
        return row;
      });
      const expected = c.periods.map((e) => {
        const row: Record<string, string> = { period: String(e.period) };
        if (e.dueDate) row.dueDate = e.dueDate;
        for (const f of FIELDS) if (e[f] != null && e[f] !== '') row[f] = new Decimal(e[f] as string).toFixed(2);
        return row;
      });
      expect(actual).toEqual(expected);
    });
  }
});
