import { assessRisk, DEFAULT_RULE_SET, generateSchedule, validateRuleSet, type Facts, type RuleSet } from '../domain';
import { NotFoundError } from '../domain/errors';
import type { RiskResult } from '../domain/origination';
import { Decimal } from '../domain/money';
import { Customer, Loan, LoanProduct, RiskRuleSet } from '../entities';
import type { ServiceContext } from './context';
import { loanSettingsOf, loanTermsFor } from './loan-account.service';

/** The rule set in force: the latest saved version, or the built-in default before ADMIN saves one. */
export async function currentRuleSet(ctx: ServiceContext): Promise<{ version: number; rules: RuleSet }> {
  const [latest] = await ctx.em.find(RiskRuleSet, {}, { orderBy: { version: 'desc' }, limit: 1 });
  return latest ? { version: latest.version, rules: latest.rules } : { version: 0, rules: DEFAULT_RULE_SET };
}

/** Saves a new version of the rules (ADMIN); the old versions stay for the audit trail. */
export async function saveRuleSet(ctx: ServiceContext, rules: unknown): Promise<{ version: number; rules: RuleSet }> {
  const valid = validateRuleSet(rules);
  const row = ctx.em.create(RiskRuleSet, { rules: valid, createdBy: ctx.actor.id });
  await ctx.em.flush();
  return { version: row.version, rules: row.rules };
}

/** What the rules look at: affordability, employment, our own book, the amount against the product. */
export async function riskFacts(ctx: ServiceContext, loan: Loan): Promise<Facts> {
  const customer = await ctx.em.findOneOrFail(Customer, loan.customer.id);
  const product = await ctx.em.findOneOrFail(LoanProduct, loan.product.id);
  const activeLoansOnBook = await ctx.em.count(Loan, { customer: customer.id, status: { $in: ['ACTIVE', 'APPROVED'] }, id: { $ne: loan.id } });
  const schedule = generateSchedule(
    loanTermsFor(loanSettingsOf(loan, product), { principal: loan.principal.toFixed(), annualInterestRate: loan.annualInterestRate.toFixed(), numberOfRepayments: loan.numberOfRepayments }, '2000-01-01'),
  );
  const installment = new Decimal(schedule.periods[0].totalDue);
  const income = customer.monthlyIncome ?? null;
  const obligations = customer.monthlyObligations ?? new Decimal(0);
  return {
    monthlyIncome: income ? income.toNumber() : null,
    monthlyObligations: obligations.toNumber(),
    monthlyInstallment: installment.toNumber(),
    debtToIncome: income && income.gt(0) ? obligations.plus(installment).div(income).toDecimalPlaces(4).toNumber() : null,
    employmentStatus: customer.employmentStatus ?? null,
    employmentYears: customer.employmentYears ?? null,
    activeLoansOnBook,
    amount: loan.principal.toNumber(),
    amountToProductMax: loan.principal.div(product.maxPrincipal).toDecimalPlaces(4).toNumber(),
  };
}

/** Runs the rule set in force over the applicant (the risk activity). */
export async function assessLoan(ctx: ServiceContext, loanId: string): Promise<RiskResult & { ruleSetVersion: number }> {
  const loan = await ctx.em.findOne(Loan, loanId);
  if (!loan) throw new NotFoundError('Loan', loanId);
  const { version, rules } = await currentRuleSet(ctx);
  return { ...assessRisk(rules, await riskFacts(ctx, loan)), ruleSetVersion: version };
}
