/**
 * Replays the recorded histories in temporal/histories/ (made by scripts/record-histories.ts with
 * earlier code) against the current workflow bundle: a change that makes a running loan's history
 * nondeterministic fails here, before it reaches a worker with live loans. Change workflows with
 * `patched()` when this fails; re-record only when the old histories may really be dropped.
 */
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { loadRecordedHistories } from '../../temporal/histories';

try {
  // The replay of the changed workflow below logs its (expected) nondeterminism error at WARN.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // already installed in this process
}
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const histories = loadRecordedHistories();
const bundle = () => ({ workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } });

it('has a recorded history for each representative loan life', () => {
  expect(histories.map((h) => h.name)).toEqual([
    'happy-path-e-signature-to-activation', 'kyc-rejection', 'offer-expiry', 'signed-upload-to-activation', 'withdrawal',
  ]);
  for (const h of histories) {
    expect(h.workflowType).toBe('loanLifecycleWorkflow');
    expect(h.workflowId).toMatch(/^loan-[0-9a-f-]{36}$/);
    // Each is a real, non-trivial history starting with the workflow's start event.
    expect(h.history.events!.length).toBeGreaterThan(20);
    expect(String(h.history.events![0].eventType)).toMatch(/WORKFLOW_EXECUTION_STARTED|^1$/);
  }
});

it('replays every recorded history against the current workflow code without nondeterminism', async () => {
  const results: ReplayResult[] = [];
  for await (const r of Worker.runReplayHistories(bundle(), histories.map((h) => ({ workflowId: h.workflowId, history: h.history })))) {
    results.push(r);
  }
  expect(results.map((r) => [r.workflowId, r.error ? `${r.error.name}: ${r.error.message}` : null])).toEqual(histories.map((h) => [h.workflowId, null]));
});

it('fails on a nondeterministic change (so the test above can fail)', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/changed-loan.workflow'), logger: quiet });
  const withdrawal = histories.find((h) => h.name === 'withdrawal')!;
  await expect(Worker.runReplayHistory({ workflowBundle: { code } }, withdrawal.history, withdrawal.workflowId)).rejects.toBeInstanceOf(DeterminismViolationError);
});
