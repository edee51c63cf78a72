import type { MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig } from '../config';
import { DomainError } from '../domain/errors';
import { SYSTEM_ACTOR, type ServiceContext } from '../services/context';
import { recordTransition } from '../services/loan.service';
import type { AgreementDocument, RecordTransitionInput } from '../workflows/messages';
import type { Offer, RiskResult } from '../domain/origination';
import { generateAgreement } from '../services/agreement.service';
import { assessLoan } from '../services/risk.service';
import type { DocumentStorage } from '../services/storage';
import { applyServicing, type ServicingRequest, type ServicingResult } from '../services/servicing.service';

export interface ActivityDeps {
  orm: MikroORM;
  config: AppConfig;
  storage: DocumentStorage;
}

/** Typed domain failures cross into the workflow as non-retryable ApplicationFailures of that code. */
async function asActivity<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DomainError) throw ApplicationFailure.create({ type: err.code, message: err.message, details: err.field ? [err.field] : [], nonRetryable: true });
    throw err;
  }
}

/** Activities get their dependencies injected; every call forks its own EntityManager. */
export function createLoanActivities(deps: ActivityDeps) {
  const context = (): ServiceContext => ({ em: deps.orm.em.fork(), actor: SYSTEM_ACTOR, config: deps.config });
  return {
    async recordLoanTransition(input: RecordTransitionInput): Promise<number> {
      return asActivity(() => recordTransition(context(), input));
    },
    async assessLoanRisk(input: { loanId: string }): Promise<RiskResult> {
      return asActivity(() => assessLoan(context(), input.loanId));
    },
    async applyLoanServicing(input: ServicingRequest): Promise<ServicingResult> {
      return asActivity(() => applyServicing(deps.orm.em.fork(), input));
    },
    async generateAgreement(input: { loanId: string; offer: Offer }): Promise<AgreementDocument> {
      // The agreement's schedule is shown for a disbursement today (UTC); activation uses the real date.
      const today = new Date().toISOString().slice(0, 10);
      return asActivity(() => generateAgreement(context(), deps.storage, input.loanId, input.offer, today));
    },
  };
}

export type LoanActivities = ReturnType<typeof createLoanActivities>;
