/**
 * The repository root and its git-ignored `.data/` folder, where a developer machine keeps what it
 * generates once (the JWT secret, the Temporal payload key). Free of imports from config, which uses it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root (the folder holding package.json), whether running from src/ or dist/. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) {
    const parent = dirname(dir);
    if (parent === dir) return resolve(__dirname, '..');
    dir = parent;
  }
  return dir;
}

export function localDataPath(name: string): string {
  return join(projectRoot(), '.data', name);
}

/**
 * The secret in `.data/<name>`, made (random bytes, mode 0600) on first use. Every process on the machine
 * (API, workers, tests) reads the same one; when two make it at once, the first write wins.
 */
export function generatedSecret(name: string, bytes: number, encoding: 'base64' | 'base64url'): string {
  const path = localDataPath(name);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, randomBytes(bytes).toString(encoding), { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return readFileSync(path, 'utf8').trim();
  }
}
