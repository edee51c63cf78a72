/**
 * WORKER_MAX_CACHED_WORKFLOWS reaches the worker: every cached workflow holds the SDK's AsyncLocalStorage
 * instances, which Node 20 touches on every promise of the workflow thread, so operators bound the cache
 * to their book (README, the mutation path).
 */
import { loadConfig } from '../../src/config';
import { startTestApp } from '../utils';

const saved = process.env.WORKER_MAX_CACHED_WORKFLOWS;
afterEach(() => {
  if (saved === undefined) delete process.env.WORKER_MAX_CACHED_WORKFLOWS;
  else process.env.WORKER_MAX_CACHED_WORKFLOWS = saved;
});

describe('WORKER_MAX_CACHED_WORKFLOWS', () => {
  it('is read from the environment: unset is 0 (the SDK default), a number is that cache size, anything else is refused', () => {
    delete process.env.WORKER_MAX_CACHED_WORKFLOWS;
    expect(loadConfig().temporal.maxCachedWorkflows).toBe(0);
    process.env.WORKER_MAX_CACHED_WORKFLOWS = '250';
    expect(loadConfig().temporal.maxCachedWorkflows).toBe(250);
    process.env.WORKER_MAX_CACHED_WORKFLOWS = 'many';
    expect(() => loadConfig()).toThrow('WORKER_MAX_CACHED_WORKFLOWS must be an integer, got "many"');
  });

  it("sizes the worker's workflow cache; 0 leaves the SDK's default", async () => {
    for (const [configured, expected] of [[37, 37], [0, undefined]] as const) {
      const app = await startTestApp({ worker: true, configure: (c) => { c.temporal.maxCachedWorkflows = configured; } });
      try {
        const size = app.worker!.worker.options.maxCachedWorkflows;
        if (expected !== undefined) expect(size).toBe(expected);
        // The SDK's own default: about 600 per GiB of heap beyond 200 MiB, at least 10.
        else expect(size).toBeGreaterThanOrEqual(10);
      } finally {
        await app.close();
      }
    }
  });
});
