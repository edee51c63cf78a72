/**
 * No Docker engine runs here, so `docker compose config` can't check docker-compose.yml; this does
 * the structural part: valid YAML, the documented services, references that resolve, and only
 * environment variables the platform actually reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));

it('defines postgres, temporal (postgres persistence), temporal-ui, rabbitmq, api, worker, prometheus, grafana and jaeger', () => {
  expect(Object.keys(compose.services).sort()).toEqual(['api', 'grafana', 'jaeger', 'postgres', 'prometheus', 'rabbitmq', 'temporal', 'temporal-ui', 'worker']);
  expect(compose.services.temporal.environment.DB).toBe('postgres12');
  expect(compose.services.temporal.environment.POSTGRES_SEEDS).toBe('postgres');
});

it('only depends on services it defines, and every service has an image or a build', () => {
  for (const [name, svc] of Object.entries<any>(compose.services)) {
    expect(svc.image ?? svc.build).toBeTruthy();
    const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
    for (const dep of deps) expect([name, dep, Object.keys(compose.services).includes(dep)]).toEqual([name, dep, true]);
  }
});

it('passes api and worker only variables the platform reads (and the Dockerfile exists)', () => {
  const sources = ['src/config.ts', 'src/worker.ts', 'src/main.ts'].map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
  for (const svc of ['api', 'worker']) {
    expect(compose.services[svc].build).toBe('.');
    for (const key of Object.keys(compose.services[svc].environment)) expect([svc, key, sources.includes(key)]).toEqual([svc, key, true]);
  }
  expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toContain('npm run build');
});

it('api and worker send their traces to Jaeger\'s OTLP/HTTP port', () => {
  const otlpPort = compose.services.jaeger.ports.map((p: string) => p.split(':')[1]).find((p: string) => p === '4318');
  expect(compose.services.jaeger.environment.COLLECTOR_OTLP_ENABLED).toBe('true');
  for (const svc of ['api', 'worker']) expect(compose.services[svc].environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(`http://jaeger:${otlpPort}`);
  expect(compose.services.jaeger.ports).toContain('16686:16686');
});

it('Prometheus scrapes the API and the worker where they serve /metrics; Grafana gets the datasource and the dashboard', () => {
  const prom = parse(readFileSync(join(root, 'ops/prometheus/prometheus.yml'), 'utf8'));
  const targets = Object.fromEntries(prom.scrape_configs.map((c: any) => [c.job_name, c.static_configs[0].targets[0]]));
  expect(targets).toEqual({ 'loan-platform-api': `api:${compose.services.api.environment.PORT}`, 'loan-platform-worker': `worker:${compose.services.worker.environment.WORKER_METRICS_PORT}` });
  for (const volume of [...compose.services.prometheus.volumes, ...compose.services.grafana.volumes]) {
    const [host] = String(volume).split(':');
    expect([volume, existsSync(join(root, host))]).toEqual([volume, true]);
  }
  const datasource = parse(readFileSync(join(root, 'ops/grafana/provisioning/datasources/prometheus.yml'), 'utf8')).datasources[0];
  const dashboard = JSON.parse(readFileSync(join(root, 'ops/grafana/dashboards/loan-platform.json'), 'utf8'));
  const exprs: string[] = dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
  expect(dashboard.panels.filter((p: any) => p.datasource).every((p: any) => p.datasource.uid === datasource.uid)).toBe(true);
  // Every loan_platform_ series the dashboard reads is one the code defines.
  const code = ['src/metrics/registry.ts', 'src/metrics/collectors.ts'].map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
  const used = new Set(exprs.flatMap((e) => e.match(/loan_platform_\w+/g) ?? []).map((m) => m.replace(/_(bucket|count|sum)$/, '')));
  const defaults = /^loan_platform_(process|nodejs)_/;
  for (const name of used) expect([name, defaults.test(name) || code.includes(`'${name}'`)]).toEqual([name, true]);
});
