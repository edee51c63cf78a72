import { createCobActivities } from './cob.activities';
import { createLoanActivities, type ActivityDeps } from './loan.activities';

export type { ActivityDeps } from './loan.activities';

/** Every activity the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return { ...createLoanActivities(deps), ...createCobActivities(deps) };
}
