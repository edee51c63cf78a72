import type { AppConfig } from '../config';

/** A small offline page at `/`: where things are and one operation to copy. */
export function landingPage(config: AppConfig): string {
  const ui = config.temporal.uiUrl;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Loan platform API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}code,pre{background:#f4f4f4;padding:.1rem .3rem}pre{padding:.8rem;overflow:auto}</style>
</head><body>
<h1>Loan platform API</h1>
<ul>
<li><a href="/graphiql">GraphiQL</a>: the schema with its descriptions, the operations of <code>examples/</code>, subscriptions (works offline)</li>
<li>GraphQL endpoint: <code>POST /graphql</code> (JSON body <code>{"query": ..., "variables": ...}</code>)</li>
<li>Metrics: <a href="/metrics">/metrics</a> (Prometheus)</li>
<li>Temporal UI: <a href="${ui}">${ui}</a> — find a loan with the query <code>LoanId="&lt;id&gt;"</code></li>
<li>Health: <a href="/health/live">/health/live</a>, <a href="/health/ready">/health/ready</a></li>
</ul>
<p>Try it:</p>
<pre>curl -s localhost:${config.port}/graphql -H 'content-type: application/json' \\
  -d '{"query":"{ loans(first: 5) { totalCount edges { node { id status stage workflow { url } } } } }"}'</pre>
<p>More operations are in <code>examples/</code> in the repository.</p>
</body></html>`;
}
