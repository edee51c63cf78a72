import { Context } from '@temporalio/activity';
import { addDays } from '../domain/dates';
import { advanceBusinessDateFrom, currentBusinessDate, setBusinessDate } from '../services/business-date.service';
import {
  enabledSteps,
  finishCobRun,
  fullyRepaidInRange,
  nextChunk,
  pendingCobDates,
  planPartitions,
  processChunk,
  releaseChunkLocks,
  startCobRun,
  type CobStepName,
} from '../services/cob';
import type { CobPartitionInput, CobTotals } from '../workflows/servicing-messages';
import { asActivityFailure, type ActivityDeps } from './loan.activities';
import { cobLoansProcessed, cobStepDuration } from '../metrics/registry';

/** Prometheus: loans processed/failed and time per business step of one committed chunk. */
function recordCobChunk(r: { processed: number; failed: number; stepMillis: Record<string, number> }): void {
  cobLoansProcessed.inc({ outcome: 'processed' }, r.processed);
  cobLoansProcessed.inc({ outcome: 'failed' }, r.failed);
  for (const [step, ms] of Object.entries(r.stepMillis)) cobStepDuration.observe({ step }, ms / 1000);
}

interface PartitionProgress extends CobTotals {
  cursor: string | null;
  closeLoanIds: string[];
}

/** Close-of-business activities; each call forks its own EntityManager. */
export function createCobActivities(deps: ActivityDeps) {
  const em = () => deps.orm.em.fork();
  return {
    async cobPendingDates(input: { upTo: string }): Promise<string[]> {
      return pendingCobDates(em(), input.upTo);
    },
    async cobPlan(input: { date: string; partitionSize: number }) {
      const e = em();
      return { steps: await enabledSteps(e), partitions: await planPartitions(e, input.date, input.partitionSize) };
    },
    async cobStartRun(input: { date: string; workflowId: string }): Promise<void> {
      await startCobRun(em(), input.date, input.workflowId);
    },
    async cobFinishRun(input: { date: string; totals: CobTotals }): Promise<void> {
      await finishCobRun(em(), input.date, input.totals);
    },
    /**
     * Processes a partition chunk by chunk, heartbeating after each committed chunk with its progress;
     * a retry (worker died) resumes after the last heartbeat, and chunks committed since are skipped
     * by the "not yet closed for this date" filter, so nothing is posted twice.
     */
    async processCobPartition(input: CobPartitionInput & { owner: string }): Promise<PartitionProgress> {
      const ctx = Context.current();
      const progress: PartitionProgress = (ctx.info.heartbeatDetails as PartitionProgress | undefined) ?? {
        cursor: null, processed: 0, failed: 0, stepMillis: {}, closeLoanIds: [],
      };
      const steps = input.steps as CobStepName[];
      // Liveness between chunk heartbeats: the process is alive as long as this timer fires.
      const alive = setInterval(() => ctx.heartbeat(progress), 2000);
      try {
      for (;;) {
        const e = em();
        const ids = await nextChunk(e, input.date, input.fromId, input.toId, progress.cursor, input.chunkSize);
        if (ids.length === 0) break;
        const r = await processChunk(e, input.date, ids, steps, input.owner);
        progress.cursor = ids[ids.length - 1];
        progress.processed += r.processed;
        progress.failed += r.failed;
        for (const [step, ms] of Object.entries(r.stepMillis)) progress.stepMillis[step] = (progress.stepMillis[step] ?? 0) + ms;
        recordCobChunk(r);
        ctx.heartbeat(progress);
      }
      } finally {
        clearInterval(alive);
      }
      await releaseChunkLocks(em(), input.date, input.fromId, input.toId);
      // Chunks that committed after the last heartbeat a dead worker sent are skipped on the retry, and
      // with them their repaid loans: ask the database for the whole range instead.
      if (steps.includes('CLOSE_FULLY_REPAID_LOANS')) {
        const started = performance.now();
        progress.closeLoanIds = await fullyRepaidInRange(em(), input.fromId, input.toId);
        progress.stepMillis.CLOSE_FULLY_REPAID_LOANS = (progress.stepMillis.CLOSE_FULLY_REPAID_LOANS ?? 0) + (performance.now() - started);
      }
      return progress;
    },
    async readBusinessDate(): Promise<string> {
      return currentBusinessDate(em());
    },
    /** Compare-and-set: a retried attempt whose first try committed finds the date moved and changes nothing. */
    async advanceBusinessDateFrom(input: { from: string }): Promise<{ businessDate: string; cobDate: string }> {
      try {
        return { businessDate: await advanceBusinessDateFrom(em(), input.from), cobDate: input.from };
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
    /** Histories from before the compare-and-set (patch business-date-compare-and-set) still call this. */
    async advanceBusinessDate(input: { days: number }): Promise<{ businessDate: string; cobDate: string }> {
      const e = em();
      const to = addDays(await currentBusinessDate(e), input.days);
      await setBusinessDate(e, to);
      return { businessDate: to, cobDate: addDays(to, -1) };
    },
  };
}

export type CobActivities = ReturnType<typeof createCobActivities>;
