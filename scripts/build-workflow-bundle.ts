/**
 * Pre-bundles src/workflows for production workers (`npm run build`), so a worker starts without
 * webpack. Also proves the workflow code only imports sandbox-safe modules.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    // OpenTelemetry's workflow interceptors, active only for traced calls (src/workflows/interceptors.ts).
    workflowInterceptorModules: [require.resolve('../src/workflows/interceptors')],
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  const out = join(__dirname, '..', 'src', 'workflow-bundle.js');
  writeFileSync(out, code);
  console.log(`workflow bundle: ${out} (${Math.round(code.length / 1024)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
