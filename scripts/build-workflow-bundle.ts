/**
 * Pre-bundles src/workflows for production workers (`npm run build`), so a worker starts without
 * webpack. Also proves the workflow code only imports sandbox-safe modules.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workflowInterceptorModules } from '../src/workflow-interceptor-modules';

/**
 * Two bundles: without interceptors (what workers run by default) and with OpenTelemetry's workflow
 * interceptors (run when tracing is on, src/tracing). Loading the interceptors costs about half of
 * every new workflow's set-up in the sandbox, so a worker without tracing should not pay for it.
 */
export async function buildWorkflowBundles(dir: string, quiet = false): Promise<{ plain: string; traced: string }> {
  const logger = { log() {}, trace() {}, debug() {}, info() {}, warn: quiet ? () => undefined : console.warn, error: console.error };
  const workflowsPath = require.resolve('../src/workflows');
  const plain = join(dir, 'workflow-bundle.js');
  const traced = join(dir, 'workflow-bundle-traced.js');
  // Both carry the request id from the handled request to the work it schedules (src/workflows/request-id-interceptors.ts).
  writeFileSync(plain, (await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: workflowInterceptorModules(false), logger })).code);
  // Plus OpenTelemetry's workflow interceptors, active only for traced calls (src/workflows/interceptors.ts).
  writeFileSync(traced, (await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: workflowInterceptorModules(true), logger })).code);
  return { plain, traced };
}

async function main(): Promise<void> {
  const { plain, traced } = await buildWorkflowBundles(join(__dirname, '..', 'src'));
  for (const f of [plain, traced]) console.log(`workflow bundle: ${f} (${Math.round(statSync(f).size / 1024)} KiB)`);
}

if (require.main === module) main().catch((err) => {
  console.error(err);
  process.exit(1);
});
