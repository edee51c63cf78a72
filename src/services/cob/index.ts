/**
 * Close of business (COB) services: steps.ts (the money rules as set-based SQL), locks.ts (a chunk's
 * loans locked while it runs, loan-by-loan retry), planning.ts (pending dates, partitions, chunks),
 * inline.ts (one loan brought up to date by servicing), admin.ts (step configuration, runs, failed loans).
 */
export { COB_JOB, COB_STEPS, fullyRepaidInRange, runSteps, type CobStepName } from './steps';
export { cobLockOf, processChunk, releaseChunkLocks, type ChunkResult } from './locks';
export { nextChunk, pendingCobDates, planPartitions, type Partition } from './planning';
export { runInlineCob } from './inline';
export {
  cobRuns, configureSteps, enabledSteps, failedCobLoans, finishCobRun, listSteps, releaseFailedLoans, startCobRun, type FailedLoan,
} from './admin';
