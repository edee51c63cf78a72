/**
 * Two workers starting at the same moment on one host both find the SDK metrics address free, and only
 * one can bind it: the other must start without the SDK's exporter, not die at startup (it did: the
 * runtime's install threw "Address already in use"). A child process, as the runtime is once per process.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

function runChild(address: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', join(__dirname, '../workflows/support/ts-register.js'), join(__dirname, 'support/runtime-taken.child.ts'), address], {
      env: { ...process.env, TEMPORAL_LOG_LEVEL: 'ERROR' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.once('exit', (code) => resolve({ code, out }));
  });
}

let holder: Server;
let address: string;

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
  address = `127.0.0.1:${(holder.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

it('installs the runtime without the SDK exporter when its address is taken, and the worker connects', async () => {
  const { code, out } = await runChild(address);
  expect({ code, answer: JSON.parse(out.trim().split('\n').pop()!) }).toEqual({ code: 0, answer: { sdkMetrics: false, connected: true } });
});

it('binds the exporter when the address is free', async () => {
  const free = createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', () => resolve()));
  const port = (free.address() as { port: number }).port;
  await new Promise<void>((resolve) => free.close(() => resolve()));
  const { code, out } = await runChild(`127.0.0.1:${port}`);
  expect({ code, answer: JSON.parse(out.trim().split('\n').pop()!) }).toEqual({ code: 0, answer: { sdkMetrics: true, connected: true } });
});
