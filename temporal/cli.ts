/**
 * Finds a Temporal CLI binary, or builds one from its Go module once. No download at run time: the
 * only network this needs is the Go module proxy, and the build lands in a cache outside the repo so
 * every clone on the machine reuses it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Later CLI tags carry a `replace` directive that breaks `go install pkg@version` (DESIGN.md §2). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export function cliCacheDir(): string {
  const base = process.env.TEMPORAL_CLI_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'loan-platform', 'temporal-cli');
  return join(base, TEMPORAL_CLI_VERSION);
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** TEMPORAL_CLI_PATH, then `temporal` on PATH, then the cached build; undefined when none exists. */
export function findTemporalCli(): string | undefined {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} does not exist`);
    return explicit;
  }
  const cached = join(cliCacheDir(), 'temporal');
  return onPath('temporal') ?? (existsSync(cached) ? cached : undefined);
}

/** Where Go is looked for besides PATH (the official installer's location). */
const GO_FALLBACKS = ['/usr/local/go/bin/go'];

/** Returns a usable CLI path, building it with `go install` (a few minutes, once) when needed. */
export function ensureTemporalCli(log: (line: string) => void = console.log, goFallbacks: string[] = GO_FALLBACKS): string {
  const found = findTemporalCli();
  if (found) return found;
  const go = onPath('go') ?? goFallbacks.find((p) => existsSync(p));
  if (!go) {
    throw new Error(
      'No Temporal CLI found and Go is not installed to build one. Either install Go >= 1.23 ' +
        '(https://go.dev/dl/), install the Temporal CLI (https://docs.temporal.io/cli) and put `temporal` ' +
        'on PATH, or set TEMPORAL_CLI_PATH to an existing binary.',
    );
  }
  const dir = cliCacheDir();
  mkdirSync(dir, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from its Go module into ${dir} (first time only, takes a few minutes)...`);
  const started = Date.now();
  const result = spawnSync(go, ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: dir, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`go install of the Temporal CLI failed (exit ${result.status ?? result.signal})`);
  const binary = join(dir, 'temporal');
  log(`Built ${execFileSync(binary, ['--version']).toString().trim()} in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}

if (require.main === module) {
  console.log(ensureTemporalCli());
}
