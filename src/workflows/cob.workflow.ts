/**
 * Close of business as Temporal workflows. The parent (`cob-<date>`) closes every pending date in
 * order; for each it partitions the active loans into id ranges and fans out child workflows
 * (`cob-<date>-p<n>`) a bounded window at a time, continuing as new when its history grows. Each child
 * runs one heartbeating activity that processes its range chunk by chunk (one transaction per chunk)
 * and then tells fully repaid loans' workflows to close.
 */
import {
  executeChild,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { CobActivities } from '../activities/cob.activities';
import { loanWorkflowId } from './messages';
import {
  closeIfRepaidSignal,
  cobWorkflowId,
  type CobPartitionInput,
  type CobResult,
  type CobTotals,
  type CobWorkflowInput,
} from './servicing-messages';

const quick = proxyActivities<CobActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

// A partition can take minutes; the heartbeat proves it is alive and carries its progress to a retry.
const HEAVY = {
  startToCloseTimeout: '2 hours',
  // The activity heartbeats every 2 s from a timer: a dead worker's partition (and its locks) moves within seconds.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
} as const;
const heavy = proxyActivities<CobActivities>(HEAVY);

function addTotals(into: CobTotals, r: CobTotals): void {
  into.processed += r.processed;
  into.failed += r.failed;
  for (const [step, ms] of Object.entries(r.stepMillis)) into.stepMillis[step] = (into.stepMillis[step] ?? 0) + ms;
}

export async function closeOfBusinessWorkflow(input: CobWorkflowInput): Promise<CobResult> {
  // Dates finished by earlier runs of this chain come along, so the last run reports them all.
  const result: CobResult = { dates: [...(input.resume?.done ?? [])] };
  const dates = await quick.cobPendingDates({ upTo: input.upTo });
  for (const date of dates) {
    if (input.resume && date < input.resume.date) continue;
    const resuming = input.resume?.date === date ? input.resume : undefined;
    if (!resuming) await quick.cobStartRun({ date, workflowId: workflowInfo().workflowId });
    const totals: CobTotals = resuming?.totals ?? { processed: 0, failed: 0, stepMillis: {} };
    // Re-planned after continue-as-new: loans already closed for the date drop out of the plan.
    const plan = await quick.cobPlan({ date, partitionSize: input.partitionSize });
    const offset = resuming?.nextIndex ?? 0;
    const running = new Map<number, Promise<void>>();
    let next = 0;
    while (next < plan.partitions.length || running.size > 0) {
      while (running.size < input.maxParallelPartitions && next < plan.partitions.length) {
        const index = next++;
        const p = plan.partitions[index];
        const child: CobPartitionInput = { date, fromId: p.fromId, toId: p.toId, chunkSize: input.chunkSize, steps: plan.steps, heartbeatTimeout: input.heartbeatTimeout };
        const work = executeChild(cobPartitionWorkflow, {
          workflowId: `${cobWorkflowId(date)}-p${offset + index}`,
          taskQueue: input.taskQueue,
          args: [child],
        }).then((r) => {
          addTotals(totals, r);
          running.delete(index);
        });
        running.set(index, work);
      }
      await Promise.race(running.values());
      if (workflowInfo().continueAsNewSuggested && next < plan.partitions.length) {
        await Promise.all(running.values());
        await continueAsNew<typeof closeOfBusinessWorkflow>({ ...input, resume: { date, nextIndex: offset + next, totals, done: result.dates } });
      }
    }
    await quick.cobFinishRun({ date, totals });
    // What ops see in the Temporal UI's workflow list, without opening the history.
    upsertMemo({ summary: `closed ${date}: ${totals.processed} loans processed, ${totals.failed} failed` });
    result.dates.push({ date, processed: totals.processed, failed: totals.failed, partitions: offset + plan.partitions.length, stepMillis: totals.stepMillis });
  }
  return result;
}

export async function cobPartitionWorkflow(input: CobPartitionInput): Promise<CobTotals> {
  const acts = input.heartbeatTimeout ? proxyActivities<CobActivities>({ ...HEAVY, heartbeatTimeout: input.heartbeatTimeout }) : heavy;
  const r = await acts.processCobPartition({ ...input, owner: workflowInfo().workflowId });
  // The loan's own workflow decides and records the closing; a missing workflow is not COB's failure.
  for (let i = 0; i < r.closeLoanIds.length; i += 100) {
    await Promise.all(
      r.closeLoanIds.slice(i, i + 100).map((loanId) => getExternalWorkflowHandle(loanWorkflowId(loanId)).signal(closeIfRepaidSignal).catch(() => undefined)),
    );
  }
  return { processed: r.processed, failed: r.failed, stepMillis: r.stepMillis };
}

/** The daily schedule's action: advance the business date by one day, then close the day that ended. */
export async function businessDayWorkflow(settings: Omit<CobWorkflowInput, 'upTo' | 'resume'>): Promise<CobResult> {
  let cobDate: string;
  if (patched('business-date-compare-and-set')) {
    // Read once (recorded in history), then move exactly that date forward: a retry cannot skip a day.
    const from = await quick.readBusinessDate();
    ({ cobDate } = await quick.advanceBusinessDateFrom({ from }));
  } else {
    ({ cobDate } = await quick.advanceBusinessDate({ days: 1 }));
  }
  return executeChild(closeOfBusinessWorkflow, {
    workflowId: cobWorkflowId(cobDate),
    taskQueue: settings.taskQueue,
    args: [{ ...settings, upTo: cobDate }],
  });
}
