import type { MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig } from '../config';
import { DomainError } from '../domain/errors';
import { SYSTEM_ACTOR, type ServiceContext } from '../services/context';
import { recordTransition } from '../services/loan.service';
import type { AgreementDocument, RecordTransitionInput } from '../workflows/messages';
import type { Offer, RiskResult } from '../domain/origination';
import { generateAgreement } from '../services/agreement.service';
import { currentBusinessDate } from '../services/business-date.service';
import { assessLoan } from '../services/risk.service';
import type { DocumentStorage } from '../services/storage';
import { applyServicing, type ServicingRequest, type ServicingResult } from '../services/servicing.service';

export interface ActivityDeps {
  orm: MikroORM;
  config: AppConfig;
  storage: DocumentStorage;
}

/** SQLSTATE classes worth retrying: connection, transaction rollback (serialization, deadlock), resources, operator, system. */
const TRANSIENT_SQLSTATE_CLASSES = ['08', '40', '53', '57', '58'];

/**
 * Typed domain failures cross into the workflow as non-retryable ApplicationFailures of that code.
 * Deterministic database errors (bad data 22xxx, constraints 23xxx, anything else with a SQLSTATE that is
 * not transient) and programming errors are non-retryable too: retrying them would wedge the loan.
 * Only transient failures (connection lost, deadlock, pool exhausted) are thrown as they are, to be retried
 * within the workflow's bounded policy. The client never sees SQL text.
 */
export function asActivityFailure(err: unknown): unknown {
  if (err instanceof DomainError) return ApplicationFailure.create({ type: err.code, message: err.message, details: err.field ? [err.field] : [], nonRetryable: true });
  const sqlState = (err as { code?: unknown })?.code;
  if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState)) {
    if (TRANSIENT_SQLSTATE_CLASSES.includes(sqlState.slice(0, 2))) return err;
    if (sqlState.startsWith('22')) return ApplicationFailure.create({ type: 'BAD_USER_INPUT', message: 'A value in the request cannot be stored', nonRetryable: true });
    if (sqlState.startsWith('23')) return ApplicationFailure.create({ type: 'CONFLICT', message: 'The request conflicts with the stored records', nonRetryable: true });
    return ApplicationFailure.create({ type: 'DATABASE_ERROR', message: `database error ${sqlState}`, nonRetryable: true });
  }
  if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError) {
    return ApplicationFailure.create({ type: 'INTERNAL', message: err.message, nonRetryable: true });
  }
  return err;
}

async function asActivity<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw asActivityFailure(err);
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
      // Agreement = booking: drawn for the business date, the disbursement date activation will book.
      return asActivity(async () => {
        const ctx = context();
        return generateAgreement(ctx, deps.storage, input.loanId, input.offer, await currentBusinessDate(ctx.em));
      });
    },
  };
}

export type LoanActivities = ReturnType<typeof createLoanActivities>;
