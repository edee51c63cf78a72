import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { LoanActivities } from '../activities/loan.activities';
import { ConflictError, DomainError, ERROR_CODES, InvalidStageError } from '../domain/errors';
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

/** Histories recorded before persist-then-decide (v1) replay with these: apply first, retry the write for ever. */
const legacyActivities = proxyActivities<LoanActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['NOT_FOUND', 'CONFLICT'] },
});

/**
 * Every write is a short database transaction, run as a local activity in the worker that holds the
 * workflow task (no extra task round trip through the server). Retries are bounded: a request waits
 * seconds, not for ever. Typed and deterministic failures (bad data, constraints) are not retried.
 */
const localActivities = proxyLocalActivities<LoanActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '2 seconds', maximumAttempts: 4, nonRetryableErrorTypes: [...ERROR_CODES, 'DATABASE_ERROR', 'INTERNAL'] },
});

/** Follow-up work that failed (risk, agreement, closing) is retried from the main loop after this pause. */
const RETRY_PAUSE = '5 seconds';

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
  // v2: persist, then decide. Histories started before it replay the v1 code path unchanged.
  const persistFirst = patched('persist-then-decide');
  const { recordLoanTransition, assessLoanRisk, generateAgreement, applyLoanServicing } = persistFirst ? localActivities : legacyActivities;
  state.requestFingerprints ??= {};
  // One handler at a time changes state (v2): each sees what the previous one persisted.
  let tail: Promise<unknown> = Promise.resolve();
  function exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (!persistFirst) return run();
    const mine = tail.then(run);
    tail = mine.catch(() => undefined);
    return mine;
  }

  const view = (): LoanView => ({ loanId: state.loanId, stage: state.stage, status: state.status, version: state.version, origination: state.origination });
  const planContext = (): PlanContext => ({ state, origination: state.origination, product: input.product, nowMs: Date.now(), timers: input.timers });

  function commit(plan: ActionPlan, requestId: string, fingerprint?: string | null): void {
    state.stage = plan.to.stage;
    state.status = plan.to.status;
    state.origination = plan.origination;
    state.version += 1;
    state.processedRequestIds.push(requestId);
    if (fingerprint) state.requestFingerprints![requestId] = fingerprint;
    changes++;
    upsertSearchAttributes([
      { key: LoanStageKey, value: state.stage },
      { key: LoanStatusKey, value: state.status },
    ]);
    upsertMemo({ summary: summaryLine(input.summary, state) });
  }

  /**
   * Records a decision, then (v2) changes the workflow's state only once the write succeeded, so the
   * workflow, the row and the search attributes never disagree. A failed write leaves everything as it was.
   */
  async function apply(plan: ActionPlan, requestId: string, actor: ActorRef, data?: Record<string, unknown> | null, fingerprint?: string | null): Promise<void> {
    const from = { stage: state.stage, status: state.status };
    if (persistFirst) {
      await recordLoanTransition({
        loanId: state.loanId, requestId, action: plan.action, fromStage: from.stage, fromStatus: from.status, toStage: plan.to.stage,
        toStatus: plan.to.status, actor, reason: plan.reason ?? null, origination: plan.origination, data: data ?? null, activate: plan.effect === 'ACTIVATE',
      });
      commit(plan, requestId, fingerprint);
      return;
    }
    commit(plan, requestId);
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
      if (state.stage === 'AGREEMENT' && (!persistFirst || !state.origination.agreement)) {
        // v2: one SYSTEM step per drawn document (an agreement may be redrawn for another disbursement date).
        const requestId = persistFirst ? `agreement-${doc.documentId}` : `agreement-${state.loanId}`;
        await apply(planAgreementGenerated(planContext(), doc.documentId, doc.documentHash, doc.disbursementDate), requestId, SYSTEM, { ...doc });
      }
    }
  }

  /** v2: an effect that fails (database down, ...) does not fail the action that set it off; the main loop retries it. */
  async function runEffectOrDefer(effect: ActionPlan['effect']): Promise<void> {
    if (!persistFirst) return runEffect(effect);
    try {
      await runEffect(effect);
      state.pendingEffect = null;
    } catch {
      state.pendingEffect = effect ?? null;
      changes++;
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
      if (result.closeAs) {
        const why = req.kind === 'WRITE_OFF' ? (req.payload.reason ?? 'written off') : 'fully repaid';
        if (!persistFirst) {
          await closeLoan(result.closeAs, req.actor, why);
        } else {
          // The money movement is committed; if closing fails now, the main loop closes the loan later.
          await exclusive(() => closeLoan(result.closeAs!, req.actor, why)).catch(() => {
            state.closeCheckRequested = true;
            changes++;
          });
        }
      }
      return result;
    },
    {
      validator: (req: ServicingRequest) => {
        if (state.stage !== 'REPAYMENT') throw asFailure(new InvalidStageError(`${req.kind} is not possible: the loan is ${state.stage} (status ${state.status})`));
      },
    },
  );
  /** Close of business says the loan looks repaid: check in the database and close it (v2: from the main loop). */
  async function closeCheck(): Promise<void> {
    if (state.stage !== 'REPAYMENT') return;
    const result = await applyLoanServicing({ loanId: state.loanId, requestId: `close-check-${state.version}`, actor: SYSTEM, kind: 'CLOSE', payload: {} });
    if (result.closeAs) await closeLoan(result.closeAs, SYSTEM, 'fully repaid (close of business)');
  }
  setHandler(closeIfRepaidSignal, async () => {
    if (!persistFirst) return closeCheck();
    // A signal only records the fact; the work (which may fail, e.g. LOAN_LOCKED) runs in the main loop.
    state.closeCheckRequested = true;
    changes++;
  });

  /** An idempotency key is bound to its request: a different action or payload under the same key is a CONFLICT. */
  function assertSameRequest(req: LoanActionRequest): void {
    const first = state.requestFingerprints?.[req.requestId];
    if (first && req.fingerprint && first !== req.fingerprint) {
      throw new ConflictError('clientMutationId: this key was already used for a different request; use a new key for a new request', 'clientMutationId');
    }
  }

  for (const name of LOAN_ACTION_NAMES) {
    setHandler(
      loanActionUpdates[name] as UpdateDefinition<LoanView, [LoanActionRequest]>,
      async (req: LoanActionRequest) => {
        if (!persistFirst) {
          if (state.processedRequestIds.includes(req.requestId)) return view();
          const plan = planAction(planContext(), name as LoanActionName, req.actor, req.payload as never);
          await apply(plan, req.requestId, req.actor, req.payload as Record<string, unknown>);
          if (plan.effect && plan.effect !== 'ACTIVATE') await runEffect(plan.effect);
          return view();
        }
        return exclusive(async () => {
          try {
            if (state.processedRequestIds.includes(req.requestId)) {
              assertSameRequest(req);
              return view();
            }
            // Planned again under the lock: an action that ran meanwhile may have changed what is allowed.
            const plan = planAction(planContext(), name as LoanActionName, req.actor, req.payload as never);
            await apply(plan, req.requestId, req.actor, req.payload as Record<string, unknown>, req.fingerprint);
            if (plan.effect && plan.effect !== 'ACTIVATE') await runEffectOrDefer(plan.effect);
            return view();
          } catch (err) {
            throw asFailure(err);
          }
        });
      },
      {
        validator: (req: LoanActionRequest) => {
          if (state.processedRequestIds.includes(req.requestId)) {
            if (persistFirst) {
              try {
                assertSameRequest(req);
              } catch (err) {
                throw asFailure(err);
              }
            }
            return;
          }
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
    // v2: work that signals asked for or that failed before runs here, one at a time with the handlers.
    if (persistFirst && (state.pendingEffect || state.closeCheckRequested)) {
      try {
        if (state.pendingEffect) {
          const effect = state.pendingEffect;
          await exclusive(() => runEffect(effect));
          state.pendingEffect = null;
        } else {
          state.closeCheckRequested = false;
          await exclusive(closeCheck);
        }
      } catch {
        // Typically LOAN_LOCKED while COB holds the loan, or the database away: try again shortly.
        if (!state.pendingEffect) state.closeCheckRequested = true;
        await sleep(RETRY_PAUSE);
      }
      continue;
    }
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
      if (!persistFirst) {
        const plan = planExpiry(planContext());
        if (plan) await apply(plan, `expiry-${state.loanId}-${state.version}`, SYSTEM);
        continue;
      }
      const expired = await exclusive(async () => {
        const plan = planExpiry(planContext());
        if (plan) await apply(plan, `expiry-${state.loanId}-${state.version}`, SYSTEM);
      }).then(() => true, () => false);
      if (!expired) await sleep(RETRY_PAUSE);
    }
  }
  // Let in-flight updates finish (and return their results) before completing or continuing.
  await condition(allHandlersFinished);
  if (!isTerminalStage(state.stage)) {
    // History is getting long: carry the plain-JSON state into a fresh run.
    state.processedRequestIds = state.processedRequestIds.slice(-MAX_REMEMBERED_REQUESTS);
    const kept = new Set(state.processedRequestIds);
    state.requestFingerprints = Object.fromEntries(Object.entries(state.requestFingerprints ?? {}).filter(([id]) => kept.has(id)));
    await continueAsNew<typeof loanLifecycleWorkflow>({ ...input, state });
  }
  return view();
}
