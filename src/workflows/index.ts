/** Everything the worker registers as workflows. Only workflow-safe imports below this folder. */
export { loanLifecycleWorkflow } from './loan-lifecycle.workflow';
export { businessDayWorkflow, closeOfBusinessWorkflow, cobPartitionWorkflow } from './cob.workflow';
