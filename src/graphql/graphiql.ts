/**
 * GraphiQL in the browser, served offline: the `ruru` distribution (GraphiQL 5 + Monaco) from
 * node_modules/ruru/static, no CDN. Queries and mutations go to /graphql over HTTP, subscriptions over
 * graphql-ws on the same path. The operations in examples/ are listed above the editor; picking one
 * opens it in a new tab with the variables from its `# variables:` header comment.
 *
 *   GET /graphiql                    the IDE (?example=<path under examples/> opens that operation)
 *   GET /graphiql/static/*           ruru's bundle (immutable per ruru version)
 *   GET /graphiql/examples.json      [{ path, name, variables }] of every examples/ operation
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import express from 'express';
import { ruruHTML, type RuruServerConfig } from 'ruru/server';
import { projectRoot } from '../config';

export const GRAPHIQL_PATH = '/graphiql';
const STATIC_PATH = `${GRAPHIQL_PATH}/static/`;

export interface ExampleOperation {
  /** Relative to examples/, with forward slashes: `origination/01-login.graphql`. */
  path: string;
  /** The operation's name (`Login`), or the file name without extension. */
  name: string;
  query: string;
  /** From the `# variables: {...}` header line, as written; '' when there is none. */
  variables: string;
}

function listGraphqlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? listGraphqlFiles(join(dir, e.name)) : e.name.endsWith('.graphql') ? [join(dir, e.name)] : []));
}

/** Every operation in examples/ (read once at start; the directory is part of the release). */
export function loadExamples(dir = join(projectRoot(), 'examples')): ExampleOperation[] {
  return listGraphqlFiles(dir).map((file) => {
    const query = readFileSync(file, 'utf8');
    const vars = /^#\s*variables:\s*(\{.*\})\s*$/m.exec(query)?.[1] ?? '';
    const name = /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/m.exec(query)?.[1] ?? file.replace(/^.*[\\/]/, '').replace(/\.graphql$/, '');
    let variables = '';
    if (vars) {
      try {
        variables = JSON.stringify(JSON.parse(vars), null, 2);
      } catch {
        variables = vars;
      }
    }
    return { path: relative(dir, file).split(sep).join('/'), name, query, variables };
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function examplePicker(examples: ExampleOperation[], selected?: string): string {
  const options = examples
    .map((e) => `<option value="${escapeHtml(e.path)}"${e.path === selected ? ' selected' : ''}>${escapeHtml(e.path)} — ${escapeHtml(e.name)}</option>`)
    .join('');
  return `<form id="lp-examples" method="get" action="${GRAPHIQL_PATH}">
<label for="lp-example">Example operations</label>
<select id="lp-example" name="example"><option value="">(choose one of examples/)</option>${options}</select>
<noscript><button type="submit">Open</button></noscript>
<span class="lp-hint">Sign in with the <code>Login</code> example, then put <code>{"Authorization": "Bearer &lt;accessToken&gt;"}</code> in Headers.</span>
</form>`;
}

const PAGE_STYLE = `<style>
#lp-examples{display:flex;gap:.5rem;align-items:center;height:36px;padding:0 .75rem;font:13px system-ui,sans-serif;border-bottom:1px solid #8883}
#lp-examples select{max-width:28rem}
#lp-examples .lp-hint{opacity:.7;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#ruru-root{height:calc(100vh - 37px)!important}
</style>`;

const PICKER_SCRIPT = `<script type="module">
document.getElementById('lp-example').addEventListener('change', (e) => { if (e.target.value) e.target.form.submit(); });
</script>`;

/** The page and the hashes of its inline scripts (its CSP allows exactly those). */
export function graphiqlPage(examples: ExampleOperation[], example?: ExampleOperation): { html: string; scriptHashes: string[] } {
  const html = ruruHTML({
    staticPath: STATIC_PATH,
    endpoint: '/graphql',
    // ruru turns a path into ws(s)://<this host><path>: graphql-ws on the API's own /graphql.
    subscriptionEndpoint: '/graphql',
    clientConfig: {
      inputValueDeprecation: true,
      schemaDescription: true,
      isHeadersEditorEnabled: true,
      ...(example ? { initialQuery: example.query, initialVariables: example.variables } : {}),
      defaultQuery: '# Loan platform GraphQL API. Pick an operation from examples/ above (start with Login),\n# put {"Authorization": "Bearer <accessToken>"} in Headers, then re-fetch the schema.\nquery Me {\n  me { id email roles }\n}\n',
    } as RuruServerConfig['clientConfig'],
    htmlParts: {
      titleTag: '<title>GraphiQL — Loan platform API</title>',
      styleTags: (original) => `${original}\n${PAGE_STYLE}`,
      bodyContent: (original) => `${examplePicker(examples, example?.path)}\n${original}`,
      bodyScripts: (original) => `${original}\n${PICKER_SCRIPT}`,
    },
  });
  const scriptHashes = [...html.matchAll(/<script(?:\s[^>]*)?>([\s\S]*?)<\/script>/g)]
    .map((m) => m[1])
    .filter((body) => body.trim() !== '')
    .map((body) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
  return { html, scriptHashes };
}

/** Content-Security-Policy of the IDE page: its own inline scripts, scripts/workers/fonts from this origin. */
function pagePolicy(scriptHashes: string[], host: string | undefined): string {
  const ws = host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    `script-src 'self' ${scriptHashes.join(' ')}`,
    "worker-src 'self' blob:",
    // Monaco and GraphiQL set style attributes and inject <style> elements at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${ws}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'self'",
    "object-src 'none'",
  ].join('; ');
}

export function graphiqlRoutes(opts: { examplesDir?: string } = {}): express.Router {
  const router = express.Router();
  const examples = loadExamples(opts.examplesDir);
  const byPath = new Map(examples.map((e) => [e.path, e]));
  // ruru's exports hide package.json: its static/ folder sits beside dist/.
  const staticDir = join(dirname(require.resolve('ruru/server')), '..', 'static');

  router.use('/static', express.static(staticDir, { immutable: true, maxAge: '30d', index: false, fallthrough: false }));
  router.get('/examples.json', (_req, res) => {
    res.json(examples.map(({ path, name, variables }) => ({ path, name, variables })));
  });
  router.get('/', (req, res) => {
    const wanted = typeof req.query.example === 'string' ? req.query.example : undefined;
    const example = wanted ? byPath.get(wanted) : undefined;
    const { html, scriptHashes } = graphiqlPage(examples, example);
    res.setHeader('Content-Security-Policy', pagePolicy(scriptHashes, req.headers.host));
    res.setHeader('Cache-Control', 'no-store');
    res.status(wanted && !example ? 404 : 200).type('html').send(html);
  });
  return router;
}
