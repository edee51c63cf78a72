/**
 * `npm run bench:cob-chunks -- [--loans 100000] [--chunks 40] [--database NAME]`: close of business one
 * chunk at a time, without Temporal or workers — what PostgreSQL spends on each business step of a chunk
 * of 1,000 loans, and the WAL it writes. For comparing a change to the steps' SQL or to the schema: the
 * whole bench (bench:cob) moves by seconds from run to run on a shared machine, a chunk's statements
 * much less.
 *  1. seeds a book as bench:cob does (or uses the already seeded database NAME, which it keeps);
 *  2. runs the steps of the bench's first date on `--chunks` distinct chunks, in id order, each in its
 *     own transaction, rolled back (the book stays as seeded);
 *  3. prints p10, median and p90 per step, and WAL bytes and full-page images per chunk.
 * No thresholds.
 */
import 'reflect-metadata';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config';
import { dropDatabase, openDatabase } from '../src/database';
import { COB_STEPS, runSteps } from '../src/services/cob';
import { sql } from '../src/services/sql';
import { BUSINESS_DATE, seed } from './cob.bench';

interface Options { loans: number; chunks: number; database: string }

function options(argv: string[]): Options {
  const opts: Options = { loans: 100000, chunks: 40, database: '' };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--loans' && Number(value) > 0) opts.loans = Number(value);
    else if (flag === '--chunks' && Number(value) > 0) opts.chunks = Number(value);
    else if (flag === '--database' && /^\w+$/.test(value ?? '')) opts.database = value;
    else throw new Error(`usage: cob-chunks.bench.js [--loans N] [--chunks N] [--database NAME] (got "${argv.join(' ')}")`);
  }
  return opts;
}

/** Thrown to roll a chunk's transaction back: its writes are measured, not kept. */
class Rollback extends Error {}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const url = new URL(loadConfig().databaseUrl);
  url.pathname = `/${opts.database || 'loan_platform_bench_chunks'}`;
  console.log(`COB chunks on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  if (!opts.database) await seed(url.toString(), opts.loans);
  const orm = await openDatabase(url.toString(), { migrate: false });
  try {
    const em = orm.em.fork();
    const ids = (await sql<{ id: string }>(em, `select id::text from loan where status = 'ACTIVE' order by id`)).map((r) => r.id);
    const chunks = Math.min(opts.chunks, Math.floor(ids.length / 1000));
    console.log(`  ${ids.length} active loans; ${chunks} chunks of 1000, date ${BUSINESS_DATE}, each rolled back`);
    await sql(em, 'checkpoint'); // the seed's dirty pages written now, not during the chunks
    const wal = async () => (await sql<{ bytes: string; fpi: string }>(em, 'select wal_bytes::text as bytes, wal_fpi::text as fpi from pg_stat_wal'))[0];
    const before = await wal();
    const times: Record<string, number[]> = {};
    for (let c = 0; c < chunks; c++) {
      const chunk = ids.slice(c * 1000, (c + 1) * 1000);
      const stepMillis: Record<string, number> = {};
      const started = performance.now();
      await orm.em.fork().transactional(async (tx) => {
        await runSteps(tx, BUSINESS_DATE, chunk, COB_STEPS, stepMillis);
        throw new Rollback();
      }).catch((err: unknown) => { if (!(err instanceof Rollback)) throw err; });
      stepMillis.TOTAL = performance.now() - started;
      for (const [step, ms] of Object.entries(stepMillis)) (times[step] ??= []).push(ms);
    }
    const after = await wal();
    const q = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * f))];
    for (const [step, xs] of Object.entries(times)) {
      console.log(`    ${step.padEnd(34)} p10 ${q(xs, 0.1).toFixed(1).padStart(6)} ms   median ${q(xs, 0.5).toFixed(1).padStart(6)} ms   p90 ${q(xs, 0.9).toFixed(1).padStart(6)} ms`);
    }
    const perChunk = (a: string, b: string) => (Number(b) - Number(a)) / chunks;
    console.log(`    WAL per chunk: ${(perChunk(before.bytes, after.bytes) / 2 ** 20).toFixed(1)} MiB, ${perChunk(before.fpi, after.fpi).toFixed(0)} full-page images`);
  } finally {
    await orm.close();
    if (!opts.database) await dropDatabase(url.toString());
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
