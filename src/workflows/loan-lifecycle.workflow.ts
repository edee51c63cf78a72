import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { LoanActivities } from '../activities/loan.activities';
import { DomainError, InvalidStageError } from '../domain/errors';
import { isTerminalStage } from '../domain/loan-lifecycle';
import {
  initialOrigination,
  LOAN_ACTION_NAMES,
  nextDeadline,
  planAction,
  planAgreementGenerated,
  planExpiry,
  planRiskResult,
  type ActionPlan,
  type ActorRef,
  type LoanActionName,
  type PlanContext,
} from '../domain/origination';
import {
  loanActionUpdates,
  loanStateQuery,
  summaryLine,
  type LoanActionRequest,
  type LoanView,
  type LoanWorkflowInput,
  type LoanWorkflowState,
} from './messages';
import { LoanStageKey, LoanStatusKey } from './search-attributes';
import { closeIfRepaidSignal, servicingUpdate, type ServicingRequest } from './servicing-messages';

const { recordLoanTransition, assessLoanRisk, generateAgreement, applyLoanServicing } = proxyActivities<LoanActivities>({
  startToCloseTimeout: '1 minute',
  // Persisting a decided transition must eventually succeed: retry (idempotently) until it does.
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['NOT_FOUND', 'CONFLICT'] },
});

const SYSTEM: ActorRef = { id: 'system', role: 'SYSTEM' };
const MAX_REMEMBERED_REQUESTS = 500;

/** Typed domain errors leave a validator as ApplicationFailures the client maps back to GraphQL codes. */
function asFailure(err: unknown): unknown {
  if (err instanceof DomainError) {
    return ApplicationFailure.create({ type: err.code, message: err.message, details: err.field ? [err.field] : [], nonRetryable: true });
  }
  return err;
}

/**
 * One workflow per loan (id `loan-<loanId>`), alive from application until the loan is closed. Each
 * person's action is an Update whose validator runs the pure rules of src/domain/origination.ts;
 * the handler applies the decision, persists it through an activity and runs what it sets off (risk
 * assessment, agreement, activation). Deadlines (offer, agreement) are durable timers.
 */
export async function loanLifecycleWorkflow(input: LoanWorkflowInput): Promise<LoanView> {
  const state: LoanWorkflowState = input.state ?? {
    loanId: input.loanId,
    stage: 'APPLICATION',
    status: 'SUBMITTED',
    version: 1,
    origination: initialOrigination(input.applicantId),
    processedRequestIds: [],
  };
  let changes = 0;
  // Transitions are persisted strictly in the order they were decided.
  let persisted: Promise<unknown> = Promise.resolve();

  const view = (): LoanView => ({ loanId: state.loanId, stage: state.stage, status: state.status, version: state.version, origination: state.origination });
  const planContext = (): PlanContext => ({ state, origination: state.origination, product: input.product, nowMs: Date.now(), timers: input.timers });

  /** Applies a decision synchronously (so a concurrent validator already sees it), then persists it. */
  async function apply(plan: ActionPlan, requestId: string, actor: ActorRef, data?: Record<string, unknown> | null): Promise<void> {
    const from = { stage: state.stage, status: state.status };
    state.stage = plan.to.stage;
    state.status = plan.to.status;
    state.origination = plan.origination;
    state.version += 1;
    state.processedRequestIds.push(requestId);
    changes++;
    upsertSearchAttributes([
      { key: LoanStageKey, value: state.stage },
      { key: LoanStatusKey, value: state.status },
    ]);
    upsertMemo({ summary: summaryLine(input.summary, state) });
    const record = recordLoanTransition({
      loanId: state.loanId,
      requestId,
      action: plan.action,
      fromStage: from.stage,
      fromStatus: from.status,
      toStage: plan.to.stage,
      toStatus: plan.to.status,
      actor,
      reason: plan.reason ?? null,
      origination: plan.origination,
      data: data ?? null,
      activate: plan.effect === 'ACTIVATE',
    });
    const mine = persisted.then(() => record);
    persisted = mine.catch(() => undefined);
    await mine;
  }

  /** Follow-up work an action sets off; each result is itself a recorded SYSTEM transition. */
  async function runEffect(effect: ActionPlan['effect']): Promise<void> {
    if (effect === 'ASSESS_RISK') {
      const result = await assessLoanRisk({ loanId: state.loanId });
      if (state.stage === 'RISK_ASSESSMENT' && !state.origination.risk) {
        await apply(planRiskResult(planContext(), result), `risk-${state.loanId}`, SYSTEM, { score: result.score, band: result.band, decision: result.decision });
      }
    } else if (effect === 'GENERATE_AGREEMENT') {
      const doc = await generateAgreement({ loanId: state.loanId, offer: state.origination.acceptedOffer! });
      if (state.stage === 'AGREEMENT') {
        await apply(planAgreementGenerated(planContext(), doc.documentId, doc.documentHash), `agreement-${state.loanId}`, SYSTEM, { ...doc });
      }
    }
  }

  setHandler(loanStateQuery, view);

  /** Repayment stage: the activity does the money movement; closing the loan is this workflow's decision. */
  async function closeLoan(closeAs: 'CLOSED_OBLIGATIONS_MET' | 'WRITTEN_OFF', actor: ActorRef, reason: string): Promise<void> {
    if (state.stage !== 'REPAYMENT') return;
    await apply({ action: closeAs === 'WRITTEN_OFF' ? 'WRITE_OFF' : 'CLOSE', to: { stage: 'CLOSED', status: closeAs }, origination: state.origination, reason }, `close-${state.loanId}`, actor);
  }
  setHandler(
    servicingUpdate,
    async (req: ServicingRequest) => {
      const result = await applyLoanServicing(req);
      if (result.closeAs) await closeLoan(result.closeAs, req.actor, req.kind === 'WRITE_OFF' ? (req.payload.reason ?? 'written off') : 'fully repaid');
      return result;
    },
    {
      validator: (req: ServicingRequest) => {
        if (state.stage !== 'REPAYMENT') throw asFailure(new InvalidStageError(`${req.kind} is not possible: the loan is ${state.stage} (status ${state.status})`));
      },
    },
  );
  setHandler(closeIfRepaidSignal, async () => {
    if (state.stage !== 'REPAYMENT') return;
    const result = await applyLoanServicing({ loanId: state.loanId, requestId: `close-check-${state.version}`, actor: SYSTEM, kind: 'CLOSE', payload: {} });
    if (result.closeAs) await closeLoan(result.closeAs, SYSTEM, 'fully repaid (close of business)');
  });

  for (const name of LOAN_ACTION_NAMES) {
    setHandler(
      loanActionUpdates[name] as UpdateDefinition<LoanView, [LoanActionRequest]>,
      async (req: LoanActionRequest) => {
        if (state.processedRequestIds.includes(req.requestId)) return view();
        const plan = planAction(planContext(), name as LoanActionName, req.actor, req.payload as never);
        await apply(plan, req.requestId, req.actor, req.payload as Record<string, unknown>);
        if (plan.effect && plan.effect !== 'ACTIVATE') await runEffect(plan.effect);
        return view();
      },
      {
        validator: (req: LoanActionRequest) => {
          if (state.processedRequestIds.includes(req.requestId)) return;
          try {
            planAction(planContext(), name as LoanActionName, req.actor, req.payload as never);
          } catch (err) {
            throw asFailure(err);
          }
        },
      },
    );
  }

  while (!isTerminalStage(state.stage) && !workflowInfo().continueAsNewSuggested) {
    const seen = changes;
    const deadline = nextDeadline(state, state.origination);
    const woken = () => changes !== seen || isTerminalStage(state.stage) || workflowInfo().continueAsNewSuggested;
    if (deadline === null) {
      await condition(woken);
      continue;
    }
    const wait = deadline - Date.now();
    const changed = wait > 0 ? await condition(woken, wait) : false;
    if (!changed) {
      const plan = planExpiry(planContext());
      if (plan) await apply(plan, `expiry-${state.loanId}-${state.version}`, SYSTEM);
    }
  }
  // Let in-flight updates finish (and return their results) before completing or continuing.
  await condition(allHandlersFinished);
  if (!isTerminalStage(state.stage)) {
    // History is getting long: carry the plain-JSON state into a fresh run.
    state.processedRequestIds = state.processedRequestIds.slice(-MAX_REMEMBERED_REQUESTS);
    await continueAsNew<typeof loanLifecycleWorkflow>({ ...input, state });
  }
  return view();
}
