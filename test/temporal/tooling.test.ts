/**
 * The Temporal tooling in temporal/: finding the CLI, the clear failure when nothing can provide one,
 * and a persistent dev server that keeps (and adds) our search attributes across restarts.
 */
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureTemporalCli, findTemporalCli, TEMPORAL_CLI_VERSION } from '../../temporal/cli';
import { startDevServer, stopDevServer } from '../../temporal/dev-server';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('finding the Temporal CLI', () => {
  it('prefers TEMPORAL_CLI_PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const fake = join(dir, 'my-temporal');
    writeFileSync(fake, '#!/bin/sh\necho fake\n');
    chmodSync(fake, 0o755);
    process.env.TEMPORAL_CLI_PATH = fake;
    expect(findTemporalCli()).toBe(fake);
  });

  it('says what is wrong when TEMPORAL_CLI_PATH points nowhere', () => {
    process.env.TEMPORAL_CLI_PATH = '/nonexistent/temporal';
    expect(() => findTemporalCli()).toThrow('TEMPORAL_CLI_PATH=/nonexistent/temporal does not exist');
  });

  it('then `temporal` on PATH, then the cached build', () => {
    const pathDir = mkdtempSync(join(tmpdir(), 'path-'));
    writeFileSync(join(pathDir, 'temporal'), '');
    const cache = mkdtempSync(join(tmpdir(), 'cache-'));
    delete process.env.TEMPORAL_CLI_PATH;
    process.env.TEMPORAL_CLI_CACHE = cache;
    process.env.PATH = pathDir;
    expect(findTemporalCli()).toBe(join(pathDir, 'temporal'));
    process.env.PATH = mkdtempSync(join(tmpdir(), 'empty-'));
    expect(findTemporalCli()).toBeUndefined();
    const cached = join(cache, TEMPORAL_CLI_VERSION, 'temporal');
    require('node:fs').mkdirSync(join(cache, TEMPORAL_CLI_VERSION));
    writeFileSync(cached, '');
    expect(findTemporalCli()).toBe(cached);
  });

  it('fails with a message naming what to install when there is neither a CLI nor Go', () => {
    delete process.env.TEMPORAL_CLI_PATH;
    process.env.TEMPORAL_CLI_CACHE = mkdtempSync(join(tmpdir(), 'cache-'));
    process.env.PATH = mkdtempSync(join(tmpdir(), 'empty-'));
    // No Go on PATH and none at the fallback locations.
    expect(() => ensureTemporalCli(() => undefined, [])).toThrow(/install Go >= 1\.23.*TEMPORAL_CLI_PATH/s);
  });
});

describe('the dev server with a persistent SQLite file', () => {
  it('reuses the file across a restart and adds the search attributes it lacks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'temporal-data-'));
    const dbFile = join(dir, 'temporal.sqlite');
    const address = '127.0.0.1:17233';
    const list = async () => {
      const connection = await Connection.connect({ address });
      try {
        const res = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        return Object.keys(res.customAttributes ?? {});
      } finally {
        await connection.close();
      }
    };

    let server = await startDevServer({ address, namespace: 'default', dbFile, headless: true, log: () => undefined });
    try {
      expect(await list()).toEqual(expect.arrayContaining(['LoanId', 'CustomerId', 'ProductId', 'LoanStatus', 'LoanStage']));
      // Simulate a data file from an older version of the platform that lacked one attribute.
      const connection = await Connection.connect({ address });
      await connection.operatorService.removeSearchAttributes({ namespace: 'default', searchAttributes: ['LoanStage'] });
      await connection.workflowService.registerNamespace({
        namespace: 'persisted-check',
        // protobufjs accepts a number where its typings say Long.
        workflowExecutionRetentionPeriod: { seconds: 86400 as any },
      });
      await connection.close();
      expect(await list()).not.toContain('LoanStage');
    } finally {
      await stopDevServer(server);
    }

    server = await startDevServer({ address, namespace: 'default', dbFile, headless: true, log: () => undefined });
    try {
      const connection = await Connection.connect({ address });
      const ns = await connection.workflowService.describeNamespace({ namespace: 'persisted-check' });
      await connection.close();
      expect(ns.namespaceInfo?.name).toBe('persisted-check');
      expect(await list()).toEqual(expect.arrayContaining(['LoanId', 'CustomerId', 'ProductId', 'LoanStatus', 'LoanStage']));
    } finally {
      await stopDevServer(server);
    }
  });
});
