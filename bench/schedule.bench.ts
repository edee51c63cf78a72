/**
 * `npm run bench:schedule`: how fast the loan math engine generates schedules.
 *  1. schedules per second for a 360-month declining-balance EMI loan (cumulative and progressive);
 *  2. wall time to generate 100,000 "typical" schedules (12–60 monthly installments, mixed engines),
 *     which is what a nightly batch over a 100k-loan book leans on.
 * Prints the machine it ran on. No thresholds: figures go in the README.
 */
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { buildSchedule, type LoanTerms } from '../src/domain';

const long: LoanTerms = {
  principal: '250000.00',
  annualNominalInterestRate: '6.5',
  numberOfRepayments: 360,
  repaymentEvery: 1,
  repaymentFrequencyType: 'MONTHS',
  amortizationType: 'EQUAL_INSTALLMENTS',
  interestType: 'DECLINING_BALANCE',
  interestCalculationPeriodType: 'DAILY',
  daysInYearType: 'ACTUAL',
  daysInMonthType: 'ACTUAL',
  expectedDisbursementDate: '2026-01-15',
  currencyCode: 'USD',
};

function typical(i: number): LoanTerms {
  const progressive = i % 2 === 0;
  return {
    ...long,
    principal: (1000 + (i % 97) * 250).toFixed(2),
    annualNominalInterestRate: (8 + (i % 23) / 2).toFixed(1),
    numberOfRepayments: 12 + (i % 49),
    interestCalculationPeriodType: i % 3 === 0 ? 'SAME_AS_REPAYMENT_PERIOD' : 'DAILY',
    daysInYearType: progressive ? 'DAYS_360' : 'ACTUAL',
    daysInMonthType: progressive ? 'DAYS_30' : 'ACTUAL',
    amortizationType: progressive || i % 5 ? 'EQUAL_INSTALLMENTS' : 'EQUAL_PRINCIPAL',
    loanScheduleType: progressive ? 'PROGRESSIVE' : 'CUMULATIVE',
    expectedDisbursementDate: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
  };
}

function rate(label: string, terms: LoanTerms, seconds: number): void {
  for (let i = 0; i < 20; i++) buildSchedule(terms); // warm up
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    buildSchedule(terms);
    count++;
  }
  const elapsed = (performance.now() - start) / 1000;
  console.log(`${label.padEnd(44)} ${(count / elapsed).toFixed(0).padStart(7)} schedules/s  (${(1000 * elapsed / count).toFixed(2)} ms each)`);
}

function main(): void {
  const n = Number(process.env.BENCH_SCHEDULES ?? 100_000);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  rate('360-month EMI, cumulative (actual/actual)', long, 5);
  rate('360-month EMI, progressive (actual/actual)', { ...long, loanScheduleType: 'PROGRESSIVE' }, 5);
  rate('360-month EMI, cumulative (30/360)', { ...long, daysInYearType: 'DAYS_360', daysInMonthType: 'DAYS_30' }, 5);

  for (let i = 0; i < 200; i++) buildSchedule(typical(i));
  const start = performance.now();
  let installments = 0;
  for (let i = 0; i < n; i++) installments += buildSchedule(typical(i)).periods.length;
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${n.toLocaleString('en-US')} typical schedules (12-60 installments):  ${seconds.toFixed(1)} s  ` +
      `(${(n / seconds).toFixed(0)} schedules/s, ${installments.toLocaleString('en-US')} installments, one core)`,
  );
}

main();
