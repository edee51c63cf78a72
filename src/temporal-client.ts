/**
 * The API's side of Temporal: start a loan workflow, send it updates, and translate Temporal's
 * failures into our typed domain errors. Services use this; nothing else talks to the client.
 */
import {
  Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError,
  WorkflowIdReusePolicy, WorkflowIdConflictPolicy,
} from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes, WorkflowNotFoundError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { AppConfig } from './config';
import { DomainError, isErrorCode } from './domain/errors';
import { dataConverterFor } from './temporal-codec';
import { RequestIdClientInterceptor } from './tracing/temporal-request-id';
import { temporalClientInterceptors } from './tracing/tracing';
import { outcomeOf, secondsSince, temporalUpdateDuration } from './metrics/registry';
import type { LoanActionName } from './domain/origination';
import {
  LOAN_WORKFLOW_TYPE,
  loanActionUpdates,
  loanWorkflowId,
  type LoanActionRequest,
  type LoanView,
  type LoanWorkflowInput,
} from './workflows/messages';
import {
  BUSINESS_DAY_WORKFLOW_TYPE, COB_WORKFLOW_TYPE, cobWorkflowId, servicingUpdate, type CobWorkflowInput, type ServicingRequest, type ServicingResult,
} from './workflows/servicing-messages';
import { CustomerIdKey, LoanIdKey, LoanStageKey, LoanStatusKey, ProductIdKey, SEARCH_ATTRIBUTES } from './workflows/search-attributes';

/** Thrown when the loan's workflow has already completed; the caller explains it from the projection. */
export class WorkflowClosedError extends Error {
  constructor(readonly workflowId: string) {
    super(`Workflow ${workflowId} is closed`);
    this.name = 'WorkflowClosedError';
  }
}

export class LoanWorkflowGateway {
  constructor(
    readonly client: Client,
    private readonly config: AppConfig['temporal'],
  ) {}

  static async connect(config: AppConfig['temporal']): Promise<LoanWorkflowGateway> {
    const connection = await Connection.connect({ address: config.address });
    // Trace context (when tracing is on) and the request id travel in the headers of every start, Update and Signal.
    const interceptors = { workflow: [...temporalClientInterceptors(), new RequestIdClientInterceptor()] };
    return new LoanWorkflowGateway(new Client({ connection, namespace: config.namespace, dataConverter: dataConverterFor(config), interceptors }), config);
  }

  async close(): Promise<void> {
    await this.client.connection.close();
  }

  /** Starts `loan-<loanId>` with its search attributes; returns the run id. Fails if it already exists. */
  async startLoanWorkflow(input: LoanWorkflowInput & { productId: string }, memoSummary: string): Promise<string> {
    const { productId, ...args } = input;
    const handle = await this.client.workflow.start(LOAN_WORKFLOW_TYPE, {
      taskQueue: this.config.taskQueue,
      workflowId: loanWorkflowId(input.loanId),
      args: [args],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      // A task held by a worker that died is handed to another after 4 s, not the default 10 s.
      workflowTaskTimeout: '4 seconds',
      typedSearchAttributes: new TypedSearchAttributes([
        { key: LoanIdKey, value: input.loanId },
        { key: CustomerIdKey, value: input.customerId },
        { key: ProductIdKey, value: productId },
        { key: LoanStageKey, value: 'APPLICATION' },
        { key: LoanStatusKey, value: 'SUBMITTED' },
      ]),
      memo: { summary: memoSummary },
    });
    return handle.firstExecutionRunId;
  }

  /** Best effort clean-up when the database transaction that accompanied a start did not commit. */
  async terminateLoanWorkflow(loanId: string, reason: string): Promise<void> {
    await this.client.workflow.getHandle(loanWorkflowId(loanId)).terminate(reason).catch(() => undefined);
  }

  /**
   * Sends a person's action as the Update of that name. Temporal picks the update id: it would replay a
   * failed attempt to a retry; the workflow itself dedups on the request id and its fingerprint.
   */
  async act<A extends LoanActionName>(loanId: string, action: A, request: LoanActionRequest<A>): Promise<LoanView> {
    return this.update(loanId, () =>
      this.client.workflow.getHandle(loanWorkflowId(loanId)).executeUpdate(loanActionUpdates[action] as never, { args: [request] }) as Promise<LoanView>,
    action);
  }

  /** A servicing request (repayment, payoff, ...) as the loan workflow's `servicing` Update. */
  async servicing(request: ServicingRequest): Promise<ServicingResult> {
    return this.update(request.loanId, () =>
      this.client.workflow
        .getHandle(loanWorkflowId(request.loanId))
        // No update id from the idempotency key: Temporal would replay a rejected attempt's failure to a
        // corrected retry. Idempotency lives in the database (one transaction per loan and key).
        .executeUpdate(servicingUpdate, { args: [request] }),
    `servicing:${request.kind}`);
  }

  /** Starts close of business up to a date (`cob-<date>`); a run already going for it is a CONFLICT. */
  async startCloseOfBusiness(input: CobWorkflowInput): Promise<{ workflowId: string; runId: string }> {
    const workflowId = cobWorkflowId(input.upTo);
    try {
      const handle = await this.client.workflow.start(COB_WORKFLOW_TYPE, {
        taskQueue: input.taskQueue,
        workflowId,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      });
      return { workflowId, runId: handle.firstExecutionRunId };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new DomainError('CONFLICT', `Close of business ${workflowId} is already running`);
      throw err;
    }
  }

  /** Creates or updates the daily COB schedule (advance the business date, then close the day). */
  async ensureCobSchedule(settings: Omit<CobWorkflowInput, 'upTo' | 'resume'>, cron: string, timezone: string, scheduleId = 'loan-close-of-business'): Promise<string> {
    const action = { type: 'startWorkflow' as const, workflowType: BUSINESS_DAY_WORKFLOW_TYPE, taskQueue: settings.taskQueue, args: [settings] };
    const spec = { cronExpressions: [cron], timezone };
    try {
      await this.client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await this.client.schedule.getHandle(scheduleId).update((prev) => ({ ...prev, spec, action }));
    }
    return scheduleId;
  }

  /**
   * Workers that polled the task queue for workflow tasks within `withinMs`. An idle worker re-polls at
   * least every minute (a long poll), so a queue with none for 90 s has no live worker.
   */
  async livePollers(taskQueue: string, withinMs = 90_000): Promise<string[]> {
    const { pollers } = await this.client.workflowService.describeTaskQueue({
      namespace: this.config.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    const since = Date.now() - withinMs;
    return (pollers ?? [])
      .filter((p) => p.lastAccessTime?.seconds != null && Number(p.lastAccessTime.seconds) * 1000 >= since)
      .map((p) => p.identity ?? 'unknown');
  }

  async describe(loanId: string): Promise<{ runId: string; status: string; historyLength: number } | undefined> {
    try {
      const d = await this.client.workflow.getHandle(loanWorkflowId(loanId)).describe();
      return { runId: d.runId, status: d.status.name, historyLength: d.historyLength };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /** Runs an update, timed (loan_platform_temporal_update_duration_seconds by update name and outcome). */
  private async update<T>(loanId: string, run: () => Promise<T>, name: string): Promise<T> {
    const started = performance.now();
    try {
      const result = await this.mapUpdateErrors(loanId, run);
      temporalUpdateDuration.observe({ update: name, outcome: 'OK' }, secondsSince(started));
      return result;
    } catch (err) {
      temporalUpdateDuration.observe({ update: name, outcome: err instanceof WorkflowClosedError ? 'WORKFLOW_CLOSED' : outcomeOf(err) }, secondsSince(started));
      throw err;
    }
  }

  /** Maps the workflow's typed rejections (ApplicationFailure.type) to DomainErrors. */
  private async mapUpdateErrors<T>(loanId: string, run: () => Promise<T>): Promise<T> {
    try {
      // No request waits longer than the bound; the idempotency key makes the retry safe.
      const deadline = Date.now() + this.config.mutationTimeoutMs;
      return await this.client.connection.withDeadline(deadline, async () => {
        for (let pause = 100; ; pause = Math.min(pause * 2, 1000)) {
          try {
            return await run();
          } catch (err) {
            // The workflow's task is being retried (its worker died, a new one takes over within seconds):
            // the server refuses Updates until it completes. Wait for it rather than fail.
            if (!isWorkflowTaskRetrying(err) || Date.now() + pause >= deadline) throw err;
            await new Promise((r) => setTimeout(r, pause));
          }
        }
      });
    } catch (err) {
      if (isWorkflowTaskRetrying(err)) throw new DomainError('UNAVAILABLE', 'The loan is being taken over by another worker; retry it with the same idempotency key');
      if (err instanceof WorkflowUpdateFailedError) {
        // The validator's typed rejection, or an activity's typed failure inside the handler.
        let cause: unknown = err.cause;
        while (cause && !(cause instanceof ApplicationFailure) && (cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
        if (cause instanceof ApplicationFailure && isErrorCode(cause.type)) {
          const field = typeof cause.details?.[0] === 'string' ? (cause.details[0] as string) : undefined;
          throw new DomainError(cause.type, cause.message, field);
        }
        // Retries ran out on a transient failure (database away): the state did not move; retry later.
        if (cause instanceof ApplicationFailure && cause.nonRetryable) throw err;
        throw new DomainError('UNAVAILABLE', 'The request could not be completed now; retry it with the same idempotency key');
      }
      if (isDeadlineError(err)) throw new DomainError('UNAVAILABLE', 'The request did not finish in time; retry it with the same idempotency key');
      if (err instanceof WorkflowNotFoundError || isCompletedError(err)) throw new WorkflowClosedError(loanWorkflowId(loanId));
      throw err;
    }
  }
}

function isDeadlineError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 4 || (err instanceof Error && /deadline exceeded/i.test(err.message));
}

/** FAILED_PRECONDITION "Workflow Task in failed state": the task failed or timed out and is being retried. */
function isWorkflowTaskRetrying(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 9 && typeof e.message === 'string' && /workflow task in failed state/i.test(e.message)) return true;
  }
  return false;
}

function isCompletedError(err: unknown): boolean {
  // Also an Update admitted just before the workflow finished: the server aborts it as the run closes.
  return err instanceof Error && /workflow execution already completed|aborted by closing workflow/i.test(err.message);
}

/**
 * Adds any of our search attributes the namespace lacks (a dev server's older SQLite file keeps its old
 * set; a fresh cluster has none). Idempotent; needs operator rights on the cluster.
 */
export async function ensureSearchAttributes(address: string, namespace: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
    const missing = SEARCH_ATTRIBUTES.filter((k) => !known.has(k.name));
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        // 2 = INDEXED_VALUE_TYPE_KEYWORD; all our attributes are keywords.
        searchAttributes: Object.fromEntries(missing.map((k) => [k.name, 2])),
      });
    }
    return missing.map((k) => k.name);
  } finally {
    await connection.close();
  }
}

