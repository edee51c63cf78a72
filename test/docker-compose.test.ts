/**
 * No Docker engine runs here, so `docker compose config` can't check docker-compose.yml; this does
 * the structural part: valid YAML, the documented services, references that resolve, and only
 * environment variables the platform actually reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));

it('defines postgres, temporal (postgres persistence), temporal-ui, rabbitmq, api and worker', () => {
  expect(Object.keys(compose.services).sort()).toEqual(['api', 'postgres', 'rabbitmq', 'temporal', 'temporal-ui', 'worker']);
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
