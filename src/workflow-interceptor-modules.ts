/**
 * The workflow interceptor modules a workflow bundle holds (scripts/build-workflow-bundle.ts, or a
 * worker bundling at start): the request id always, OpenTelemetry's when tracing is on.
 */
export function workflowInterceptorModules(traced: boolean): string[] {
  const modules = [require.resolve('./workflows/request-id-interceptors')];
  return traced ? [...modules, require.resolve('./workflows/interceptors')] : modules;
}
