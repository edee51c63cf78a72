/**
 * Replays the recorded histories in temporal/histories/ (made by scripts/record-histories.ts with
 * earlier code) against the current workflow bundle: a change that makes a running loan's history
 * nondeterministic fails here, before it reaches a worker with live loans. Change workflows with
 * `patched()` when this fails; re-record only when the old histories may really be dropped.
 */
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { loadRecordedHistories, recordingDataConverter } from '../../temporal/histories';

try {
  // The replay of the changed workflow below logs its (expected) nondeterminism error at WARN.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // already installed in this process
}
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const histories = loadRecordedHistories();
// Histories recorded since the payload codec are sealed with the published recording key.
const bundle = () => ({ workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! }, dataConverter: recordingDataConverter() });

it('has a recorded history for each representative life: origination, servicing, closing and close of business', () => {
  expect(histories.map((h) => [h.name, h.workflowType])).toEqual([
    ['business-day-schedule', 'businessDayWorkflow'],
    ['close-of-business-partition', 'cobPartitionWorkflow'],
    ['close-of-business', 'closeOfBusinessWorkflow'],
    ['closed-by-close-of-business', 'loanLifecycleWorkflow'],
    ['happy-path-e-signature-to-activation', 'loanLifecycleWorkflow'],
    ['kyc-rejection', 'loanLifecycleWorkflow'],
    ['offer-expiry', 'loanLifecycleWorkflow'],
    ['servicing-repayments-to-payoff', 'loanLifecycleWorkflow'],
    ['signed-upload-to-activation', 'loanLifecycleWorkflow'],
    ['withdrawal', 'loanLifecycleWorkflow'],
  ]);
  for (const h of histories) {
    expect(h.workflowId).toMatch(h.workflowType === 'loanLifecycleWorkflow' ? /^loan-[0-9a-f-]{36}$/ : /^(cob-|record-histories-)/);
    // Each is a real, non-trivial history starting with the workflow's start event.
    expect(h.history.events!.length).toBeGreaterThan(h.workflowType === 'loanLifecycleWorkflow' ? 20 : 5);
    expect(String(h.history.events![0].eventType)).toMatch(/WORKFLOW_EXECUTION_STARTED|^1$/);
  }
});

/** The bytes of every payload in a history, as text. */
function payloadTexts(node: unknown, out: string[] = []): string[] {
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ('metadata' in o && o.data instanceof Uint8Array) out.push(Buffer.from(o.data).toString('utf8'));
    for (const v of Object.values(o)) payloadTexts(v, out);
  }
  return out;
}

it('keeps personal data out of histories recorded since the payload codec: every payload is sealed', () => {
  const signed = (name: string) => payloadTexts(histories.find((h) => h.name === name)!.history);
  // Recorded before the codec: the signer's name is readable in the history (what the codec prevents).
  expect(signed('happy-path-e-signature-to-activation').some((t) => t.includes('Rec Orded'))).toBe(true);
  const sealed = signed('servicing-repayments-to-payoff');
  expect(sealed.length).toBeGreaterThan(20);
  expect(sealed.some((t) => t.includes('Rec Orded') || t.includes('signerName'))).toBe(false);
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
