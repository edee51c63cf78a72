/**
 * Workflow code runs in Temporal's deterministic sandbox. Bundling it the way a worker does fails on
 * an impure import, so this test keeps CI honest about what src/workflows may import.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

it('bundles src/workflows for the sandbox, exporting the loan workflow', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quiet });
  expect(code).toContain('loanLifecycleWorkflow');
  // Node built-ins and the ORM must never be pulled into the sandbox through a stray import.
  expect(code).not.toMatch(/require\("(node:)?(fs|net|crypto|child_process)"\)/);
  expect(code).not.toContain('@mikro-orm');
});

it('fails to bundle a workflow that imports a Node built-in (so the check above can fail)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bad-workflow-'));
  const file = join(dir, 'bad.workflow.js');
  writeFileSync(file, "const fs = require('fs');\nexports.bad = async function bad() { return fs.readFileSync('/etc/hostname', 'utf8'); };\n");
  const errors: string[] = [];
  const logger = { ...quiet, error: (message: string, meta?: unknown) => void errors.push(`${message} ${JSON.stringify(meta ?? '')}`) };
  await expect(bundleWorkflowCode({ workflowsPath: file, logger })).rejects.toThrow(/Webpack finished with errors/);
  expect(errors.join('\n')).toMatch(/'fs'|"fs"|\bfs\b/);
});
