#!/usr/bin/env node
/**
 * `npm test`: runs jest (which starts PostgreSQL databases and a Temporal dev server as needed, see
 * test/global-setup.ts) and ends with one plain line `N passed, N failed` from jest's JSON summary.
 * Extra arguments go to jest, e.g. `npm test -- test/domain`.
 */
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const dir = mkdtempSync(join(tmpdir(), 'loan-platform-jest-'));
const out = join(dir, 'results.json');
const jest = require.resolve('jest/bin/jest');
const result = spawnSync(process.execPath, [jest, '--json', `--outputFile=${out}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
let summary = { numPassedTests: 0, numFailedTests: 0, numRuntimeErrorTestSuites: 0 };
try {
  summary = JSON.parse(readFileSync(out, 'utf8'));
} catch {
  console.error('jest wrote no JSON summary');
}
rmSync(dir, { recursive: true, force: true });
if (summary.numRuntimeErrorTestSuites) console.log(`${summary.numRuntimeErrorTestSuites} test suites failed to run`);
console.log(`${summary.numPassedTests} passed, ${summary.numFailedTests} failed`);
process.exit(result.status === 0 && summary.numFailedTests === 0 ? 0 : 1);
