/**
 * `npm run bench:dashboard -- [loans...]` (default 100000): the staff pipeline dashboard query on a big book.
 *  1. seeds N active loans with 12-installment schedules (`seed()` of bench/cob.bench.ts: 9 in 10 paid up
 *     to date, 1 in 10 overdue), a disbursement and a repayment per paid installment, a timeline of eight
 *     stage changes per loan, and N/5 more loans still in origination (APPROVAL ones waiting at
 *     different levels);
 *  2. runs the real COB steps CHECK_LOAN_REPAYMENT_OVERDUE + LOAN_DELINQUENCY_CLASSIFICATION so days
 *     past due, delinquency class and overdue amounts are what close of business writes;
 *  3. times `pipelineDashboard` (the service behind the GraphQL query: every SQL aggregate) for a
 *     30-day window, warm, 7 runs, and prints min / median / max and the figures it answered.
 *  4. the same without the index of Migration20261202164719_pipeline_dashboard (baseline, same run).
 * `KEEP_BENCH_DB=true` keeps the database; `BENCH_REUSE_DB=true` measures a kept one without seeding again.
 * No thresholds: figures depend on the machine (printed first, with the load average).
 */
import 'reflect-metadata';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config';
import { dropDatabase, openDatabase } from '../src/database';
import { addDays } from '../src/domain/dates';
import { runSteps } from '../src/services/cob';
import { SYSTEM_ACTOR } from '../src/services/context';
import { pipelineDashboard } from '../src/services/pipeline-dashboard.service';
import { sql } from '../src/services/sql';
import { BUSINESS_DATE, seed, seedTransactions } from './cob.bench';

const PIPELINE = ['APPLICATION', 'KYC_REVIEW', 'RISK_ASSESSMENT', 'DISCUSSION', 'APPROVAL', 'AGREEMENT', 'ACTIVATION', 'REPAYMENT'];
const RUNS = 7;

async function seedDashboardBook(url: string, n: number): Promise<void> {
  await seed(url, n);
  const orm = await openDatabase(url, { migrate: false });
  const em = orm.em.fork();
  const started = performance.now();
  await seedTransactions(em);
  // N/5 loans still in origination, spread over the stages before REPAYMENT; APPROVAL ones need 1–3 levels, some half approved.
  await sql(em, `
    insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every,
      repayment_frequency_type, status, stage, workflow_id, origination)
    select gen_random_uuid(), c.id, l.product_id, 1000 + (g % 40) * 250, 'USD', 12, 12, 1, 'MONTHS', 'SUBMITTED', (?::text[])[1 + g % 7], 'bench',
           case when g % 7 = 4 then jsonb_build_object(
             'risk', jsonb_build_object('requiredApprovals', (array['["INTERNAL"]', '["INTERNAL","MANAGEMENT"]', '["INTERNAL","MANAGEMENT","CREDIT_COMMITTEE"]'])[1 + g % 3]::jsonb),
             'approvals', case when g % 2 = 0 then '[{"level":"INTERNAL","actorId":"bench","atMs":0}]'::jsonb else '[]'::jsonb end) end
      from generate_series(1, ?) g
      join lateral (select id from customer order by id offset g % 1000 limit 1) c on true
      cross join (select product_id from loan limit 1) l`, [PIPELINE.slice(0, 7), Math.floor(n / 5)]);
  // The timeline: one event per stage reached, hours to days apart (varying per loan), the last at the disbursement
  // (active loans) or within the last 30 days (origination).
  await sql(em, `
    insert into loan_event (loan_id, request_id, action, from_stage, to_stage, from_status, to_status, actor, actor_role, occurred_at)
    select l.id, 'bench-' || s.ord, 'BENCH', case when s.ord > 1 then (?::text[])[s.ord - 1] end, s.stage, 'SUBMITTED', 'SUBMITTED', 'bench', 'SYSTEM',
           coalesce(l.disbursed_on::timestamp, (?::date)::timestamp - (abs(hashtext(l.id::text)) % 30) * interval '1 day')
             - (last.ord - s.ord) * (1 + abs(hashtext(l.id::text || s.ord)) % 72) * interval '1 hour'
      from loan l
      cross join lateral (select array_position(?::text[], l.stage::text) as ord) last
      cross join lateral unnest(?::text[]) with ordinality s(stage, ord)
     where s.ord <= last.ord`, [PIPELINE, BUSINESS_DATE, PIPELINE, PIPELINE]);
  const ids = (await sql<{ id: string }>(em, `select id::text from loan where status = 'ACTIVE' order by id`)).map((r) => r.id);
  const cobStarted = performance.now();
  for (let i = 0; i < ids.length; i += 10000) {
    await em.transactional((tx) => runSteps(tx, BUSINESS_DATE, ids.slice(i, i + 10000), ['CHECK_LOAN_REPAYMENT_OVERDUE', 'LOAN_DELINQUENCY_CLASSIFICATION']));
  }
  const cobSeconds = (performance.now() - cobStarted) / 1000;
  await sql(em, 'analyze');
  const [c] = await sql<{ loans: string; events: string; txs: string; installments: string }>(em, `
    select (select count(*) from loan)::text as loans, (select count(*) from loan_event)::text as events,
           (select count(*) from loan_transaction)::text as txs, (select count(*) from loan_installment)::text as installments`);
  console.log(`  plus ${c.txs} transactions, ${c.events} timeline events, ${Number(c.loans) - n} loans in origination (${c.loans} loans, ${c.installments} installments) `
    + `in ${((performance.now() - started) / 1000).toFixed(1)} s, of which COB overdue + delinquency steps ${cobSeconds.toFixed(1)} s`);
  await orm.close();
}

/** Warm timings of the dashboard; `label` says which indexes are in place. */
async function measure(url: string, label: string, print: boolean): Promise<void> {
  const config = loadConfig();
  const orm = await openDatabase(url, { migrate: false });
  const window = { currencyCode: 'USD', from: addDays(BUSINESS_DATE, -29), to: BUSINESS_DATE };
  const run = async () => {
    const started = performance.now();
    const d = await pipelineDashboard({ em: orm.em.fork(), actor: SYSTEM_ACTOR, config }, window);
    return { ms: performance.now() - started, d };
  };
  const first = await run();
  const times: number[] = [];
  let last = first;
  for (let i = 0; i < RUNS; i++) {
    last = await run();
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  const d = last.d;
  console.log(`  ${label}: pipelineDashboard(USD, ${window.from}..${window.to}): first ${first.ms.toFixed(0)} ms; warm ${RUNS} runs min ${times[0].toFixed(0)} / median ${times[Math.floor(RUNS / 2)].toFixed(0)} / max ${times[RUNS - 1].toFixed(0)} ms`);
  if (!print) {
    await orm.close();
    return;
  }
  console.log(`    stages: ${d.stages.filter((s) => s.loans > 0).map((s) => `${s.stage} ${s.loans}`).join(', ')}`);
  console.log(`    stage durations (median/p90 h): ${d.stageDurations.map((s) => `${s.stage} ${(s.medianSeconds / 3600).toFixed(0)}/${(s.p90Seconds / 3600).toFixed(0)} (${s.stays})`).join(', ')}`);
  console.log(`    approvals waiting: ${d.approvalsWaiting.map((a) => `${a.level} ${a.loans}`).join(', ')}`);
  const disbursed = d.daily.reduce((a, x) => a.plus(x.disbursed), d.outstandingPrincipal.mul(0));
  const collected = d.daily.reduce((a, x) => a.plus(x.collected), d.outstandingPrincipal.mul(0));
  console.log(`    ${d.daily.length} days: disbursed ${disbursed.toFixed(2)}, collected ${collected.toFixed(2)}`);
  console.log(`    outstanding principal ${d.outstandingPrincipal.toFixed(2)} on ${d.activeLoans} loans; `
    + d.portfolioAtRisk.map((p) => `PAR${p.daysPastDue} ${p.ratio.mul(100).toFixed(2)}% (${p.loans})`).join(', '));
  console.log(`    arrears: ${d.arrears.map((a) => `${a.classification} ${a.loans} loans, overdue ${a.overdueAmount.toFixed(2)}`).join('; ')}`);
  await orm.close();
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
  const config = loadConfig();
  console.log(`Dashboard benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const n of sizes.length ? sizes : [100000]) {
    const url = new URL(config.databaseUrl);
    url.pathname = `/loan_platform_bench_dashboard_${n}`;
    console.log(`\n${n} active loans`);
    if (process.env.BENCH_REUSE_DB === 'true') await (await openDatabase(url.toString(), { migrate: true })).close();
    else await seedDashboardBook(url.toString(), n);
    await measure(url.toString(), 'with the migrations\' indexes', true);
    // Baseline in the same run: without Migration20261202164719_pipeline_dashboard's index.
    const orm = await openDatabase(url.toString(), { migrate: false });
    const ddl = (await sql<{ def: string }>(orm.em.fork(), `select indexdef as def from pg_indexes where indexname = 'loan_event_stage_entered_index'`))[0].def;
    await sql(orm.em.fork(), 'drop index loan_event_stage_entered_index');
    await measure(url.toString(), 'without loan_event_stage_entered_index', false);
    await sql(orm.em.fork(), ddl);
    await orm.close();
    if (process.env.KEEP_BENCH_DB !== 'true') await dropDatabase(url.toString());
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
