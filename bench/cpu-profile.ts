/**
 * Preloaded into a process (`node -r dist/bench/cpu-profile.js`, CPU_PROFILE_DIR=<dir>) by `bench:reads -- --profile`:
 * the same V8 sampling profiler as `node --cpu-prof`, but each SIGWINCH writes what was sampled since the
 * last one to `<dir>/<label>-<pid>.cpuprofile` (label from the file <dir>/.label) and starts afresh, so a
 * bench gets one profile per measured query without waiting for a graceful exit. (SIGWINCH, not SIGUSR2:
 * Temporal workers shut down on SIGUSR2; SIGWINCH is otherwise ignored.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => {
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result)));
  });
  const start = () => post('Profiler.enable').then(() => post('Profiler.setSamplingInterval', { interval: 1000 })).then(() => post('Profiler.start'));
  void start();
  process.on('SIGWINCH', () => {
    void (async () => {
      const { profile } = await post('Profiler.stop');
      let label = 'profile';
      try { label = readFileSync(join(dir, '.label'), 'utf8').trim() || label; } catch { /* default */ }
      writeFileSync(join(dir, `${label}-${process.pid}.cpuprofile`), JSON.stringify(profile));
      await post('Profiler.start');
    })();
  });
}
