/** Close of business from the API: start it, move the business date, configure steps, read runs. */
import type { AppConfig } from '../config';
import { addDays, requireLocalDate } from '../domain/dates';
import { ValidationError } from '../domain/errors';
import type { CobWorkflowInput } from '../workflows/servicing-messages';
import { actingAs } from './authorization';
import { compareAndSetBusinessDate, currentBusinessDate, setBusinessDate } from './business-date.service';
import { configureSteps, cobRuns, failedCobLoans, listSteps, releaseFailedLoans } from './cob';
import { requireTemporal, type ServiceContext } from './context';

const COB_ADMIN = ['ADMIN', 'SYSTEM'];
const COB_READERS = ['ADMIN', 'MANAGER', 'RISK_MANAGER', 'LOAN_OFFICER', 'SYSTEM'];

export function cobSettings(config: AppConfig): Omit<CobWorkflowInput, 'upTo' | 'resume'> {
  return {
    partitionSize: config.cob.partitionSize,
    chunkSize: config.cob.chunkSize,
    maxParallelPartitions: config.cob.maxParallelPartitions,
    taskQueue: config.cob.taskQueue || config.temporal.taskQueue,
  };
}

/** Starts COB for every pending date up to `upTo` (default: the day before the business date). */
export async function runCloseOfBusiness(ctx: ServiceContext, upTo?: string | null) {
  actingAs(ctx.actor, COB_ADMIN);
  const cobDate = addDays(await currentBusinessDate(ctx.em), -1);
  const date = upTo ? requireLocalDate('upTo', upTo) : cobDate;
  if (date > cobDate) throw new ValidationError('upTo', `must be before the business date (at most ${cobDate}); advance the business date first`);
  const started = await requireTemporal(ctx).startCloseOfBusiness({ ...cobSettings(ctx.config), upTo: date });
  return { ...started, upTo: date, url: `${ctx.config.temporal.uiUrl}/namespaces/${ctx.config.temporal.namespace}/workflows/${started.workflowId}` };
}

/**
 * Moves the business date forward (never back) and, if asked, closes the days it passed. With
 * `expectedBusinessDate` it is a compare-and-set, safe to resend: a retry finds the date already moved
 * and changes nothing; a date moved by someone else is CONFLICT.
 */
export async function advanceBusinessDate(ctx: ServiceContext, to: string | null | undefined, runCob: boolean, expected?: string | null) {
  actingAs(ctx.actor, COB_ADMIN);
  const current = expected ? requireLocalDate('expectedBusinessDate', expected) : await currentBusinessDate(ctx.em);
  const target = to ? requireLocalDate('to', to) : addDays(current, 1);
  const date = expected ? await compareAndSetBusinessDate(ctx.em, expected, target) : await setBusinessDate(ctx.em, target);
  const cob = runCob && date > current ? await runCloseOfBusiness(ctx, addDays(date, -1)) : null;
  return { businessDate: date, cob };
}

export async function getBusinessDate(ctx: ServiceContext): Promise<string> {
  if (!ctx.actor.authenticated) actingAs(ctx.actor, COB_READERS);
  return currentBusinessDate(ctx.em);
}

export async function cobJobSteps(ctx: ServiceContext, jobName?: string | null) {
  actingAs(ctx.actor, COB_READERS);
  return listSteps(ctx.em, jobName ?? undefined);
}

export async function updateCobJobSteps(ctx: ServiceContext, jobName: string, steps: { stepName: string; enabled: boolean }[]) {
  actingAs(ctx.actor, COB_ADMIN);
  return configureSteps(ctx.em, jobName, steps);
}

export async function listCobRuns(ctx: ServiceContext, limit?: number | null) {
  actingAs(ctx.actor, COB_READERS);
  const n = limit ?? 30;
  if (!Number.isInteger(n) || n < 1 || n > 366) throw new ValidationError('limit', 'must be between 1 and 366');
  return cobRuns(ctx.em, n);
}

export async function listFailedCobLoans(ctx: ServiceContext) {
  actingAs(ctx.actor, COB_READERS);
  return failedCobLoans(ctx.em);
}

/** Releases failed loans and runs COB again up to the last COB date, so they catch up in order. */
export async function retryFailedCob(ctx: ServiceContext) {
  actingAs(ctx.actor, COB_ADMIN);
  const released = await releaseFailedLoans(ctx.em);
  const run = await runCloseOfBusiness(ctx, null);
  return { released, ...run };
}
