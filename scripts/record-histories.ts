/**
 * Records the event histories of representative loans into temporal/histories/*.json, for the replay
 * test (test/workflows/replay.test.ts) that replays them against the current workflow code and fails
 * on nondeterminism. Only histories that have no file yet are recorded: the point is to keep histories
 * made by OLDER code, so each release adds its own and none is overwritten unless named with --force:
 *
 *   npm run -s build && node dist/scripts/record-histories.js [--force name,name]
 *
 * Payloads are sealed with the published RECORDING_PAYLOAD_KEY (temporal/histories.ts), so the corpus
 * also proves the payload codec round-trips.
 * Uses a throw-away database (dropped afterwards) and the Temporal at TEMPORAL_ADDRESS, or an
 * in-memory dev server started there when nothing answers. Runs the real API and a worker in-process
 * and drives each loan through GraphQL and POST /documents, exactly as clients do.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '../src/config';
import { dropDatabase, openDatabase } from '../src/database';
import { createApiServer, listen } from '../src/graphql/server';
import { logger } from '../src/logger';
import { Customer } from '../src/entities';
import { createStaffUser } from '../src/services/auth.service';
import { cobSettings } from '../src/services/cob-run.service';
import { SYSTEM_ACTOR } from '../src/services/context';
import { LoanWorkflowGateway } from '../src/temporal-client';
import { createWorker } from '../src/worker-runtime';
import { loanWorkflowId } from '../src/workflows/messages';
import { isReachable, startDevServer, stopDevServer } from '../temporal/dev-server';
import { encodeHistory, HISTORIES_DIR, RECORDING_PAYLOAD_KEY } from '../temporal/histories';

const PASSWORD = 'record-histories-password';
const ALL_CHECKS = ['IDENTITY_VERIFIED', 'ADDRESS_VERIFIED', 'INCOME_VERIFIED', 'SANCTIONS_SCREENED'].map((item) => ({ item, checked: true }));
const L = 'id stage status origination { agreement { documentHash } }';

type Gql = (query: string, variables: Record<string, unknown>, token?: string) => Promise<any>;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const config: AppConfig = loadConfig();
  config.temporal.taskQueue = `record-histories-${randomUUID()}`;
  config.documents.storageDir = mkdtempSync(join(tmpdir(), 'record-histories-docs-'));
  config.origination.offerExpirySeconds = 3600;
  config.temporal.payloadKey = RECORDING_PAYLOAD_KEY;
  config.temporal.payloadOldKeys = '';
  const forceAt = process.argv.indexOf('--force');
  const forced = new Set(forceAt > 0 ? (process.argv[forceAt + 1] ?? '').split(',') : []);
  const wanted = (name: string) => forced.has(name) || !existsSync(join(HISTORIES_DIR, `${name}.json`));
  const dbUrl = new URL(config.databaseUrl);
  dbUrl.pathname = `/loan_platform_histories_${Date.now()}`;
  config.databaseUrl = dbUrl.toString();

  const devServer = (await isReachable(config.temporal.address))
    ? undefined
    : await startDevServer({ address: config.temporal.address, namespace: config.temporal.namespace, headless: true, fastSqlite: true, log: () => undefined });
  const orm = await openDatabase(config.databaseUrl, { migrate: true });
  const temporal = await LoanWorkflowGateway.connect(config.temporal);
  const { worker, connection } = await createWorker({ orm, config });
  const running = worker.run();
  const api = await createApiServer({ orm, temporal, config, log: logger });
  const url = `http://127.0.0.1:${await listen(api, 0, '127.0.0.1')}`;
  try {
    const gql: Gql = async (query, variables, token) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown };
      if (body.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(body.errors)}`);
      return Object.values(body.data!)[0];
    };
    const login = async (email: string) =>
      (await gql(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken user { id } } }`, { e: email, p: PASSWORD })) as {
        accessToken: string;
        user: { id: string };
      };
    const staff = async (roles: string[]) => {
      const email = `${roles[0].toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
      await createStaffUser({ em: orm.em.fork(), actor: SYSTEM_ACTOR, config }, { email, password: PASSWORD, roles });
      const r = await login(email);
      return { token: r.accessToken, id: r.user.id };
    };
    const [officer, officer2, manager, kyc, admin] = [
      await staff(['LOAN_OFFICER']), await staff(['LOAN_OFFICER']), await staff(['MANAGER']), await staff(['KYC_OFFICER']), await staff(['ADMIN']),
    ];
    const product = await gql(
      `mutation($i: CreateLoanProductInput!) { createLoanProduct(input: $i) { id } }`,
      { i: { name: 'Recorded personal loan', currencyCode: 'USD', minPrincipal: '500.00', maxPrincipal: '50000.00', minInterestRate: '5', maxInterestRate: '30', minNumberOfRepayments: 3, maxNumberOfRepayments: 60, repaymentEvery: 1, repaymentFrequencyType: 'MONTHS' } },
      admin.token,
    );
    const borrower = async () => {
      const email = `borrower-${randomUUID().slice(0, 8)}@example.com`;
      const reg = await gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`, { i: { firstName: 'Rec', lastName: 'Orded', email, password: PASSWORD } });
      const me = { customer: await orm.em.fork().findOneOrFail(Customer, { email }) };
      await gql(
        `mutation($id: ID!, $i: CustomerProfileInput!) { updateCustomerProfile(customerId: $id, input: $i) { id } }`,
        { id: me.customer.id, i: { monthlyIncome: '5000', monthlyObligations: '500', employmentStatus: 'EMPLOYED', employmentYears: 5 } },
        reg.accessToken,
      );
      return { token: reg.accessToken as string, customerId: me.customer.id as string };
    };
    const apply = async (b: { token: string; customerId: string }) =>
      (await gql(`mutation($i: ApplyForLoanInput!) { applyForLoan(input: $i) { id } }`, {
        i: { customerId: b.customerId, productId: product.id, principal: '8000.00', currencyCode: 'USD', annualInterestRate: '12', numberOfRepayments: 12 },
      }, b.token)).id as string;
    const act = (m: string, args: string, vars: Record<string, unknown>, token: string) =>
      gql(`mutation(${args}) { ${m} { ${L} } }`, vars, token);
    const toDiscussion = async (b: { token: string; customerId: string }) => {
      const loanId = await apply(b);
      await act('submitApplication(loanId: $l)', '$l: ID!', { l: loanId }, b.token);
      await act('assignKycReviewer(loanId: $l, reviewerId: $r)', '$l: ID!, $r: ID!', { l: loanId, r: kyc.id }, manager.token);
      await act('completeKycChecklist(loanId: $l, items: $i)', '$l: ID!, $i: [KycChecklistItemInput!]!', { l: loanId, i: ALL_CHECKS }, kyc.token);
      await act('decideKyc(loanId: $l, approve: true, reason: "documents in order")', '$l: ID!', { l: loanId }, manager.token);
      return loanId;
    };
    const toAgreement = async (b: { token: string; customerId: string }) => {
      const loanId = await toDiscussion(b);
      await act('sendOffer(loanId: $l, principal: "7500.00", annualInterestRate: "11.5", numberOfRepayments: 12)', '$l: ID!', { l: loanId }, officer.token);
      await act('acceptOffer(loanId: $l, offerNumber: 1)', '$l: ID!', { l: loanId }, b.token);
      const approved = await act('approveLoan(loanId: $l, level: INTERNAL)', '$l: ID!', { l: loanId }, officer2.token);
      return { loanId, hash: approved.origination.agreement.documentHash as string };
    };

    // name -> workflow id of the history to keep
    const recorded: Record<string, { workflowId: string; workflowType: string }> = {};
    const loanHistory = (name: string, loanId: string) => (recorded[name] = { workflowId: loanWorkflowId(loanId), workflowType: 'loanLifecycleWorkflow' });
    const businessDate = async () => (await gql(`query { businessDate }`, {}, admin.token)) as string;
    const activate = async (loanId: string) =>
      act('activateLoan(loanId: $l, disbursementDate: $d)', '$l: ID!, $d: LocalDate!', { l: loanId, d: await businessDate() }, officer.token);
    const advance = (to: string, runCob: boolean) =>
      gql(`mutation($to: LocalDate, $c: Boolean) { advanceBusinessDate(to: $to, runCob: $c) { businessDate cob { workflowId } } }`, { to, c: runCob }, admin.token) as Promise<{ cob: { workflowId: string } | null }>;
    const waitFor = async (what: string, done: () => Promise<boolean>) => {
      for (let i = 0; i < 300; i++) {
        if (await done()) return;
        await sleep(200);
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const repay = (loanId: string, amount: string, key: string) =>
      gql(`mutation($l: ID!, $a: Decimal!, $k: String!) { recordRepayment(loanId: $l, amount: $a, idempotencyKey: $k) { id } }`, { l: loanId, a: amount, k: key }, officer.token);

    if (wanted('happy-path-e-signature-to-activation')) {
      const b = await borrower();
      const { loanId, hash } = await toAgreement(b);
      await act('signAgreement(loanId: $l, signerName: "Rec Orded", documentHash: $h)', '$l: ID!, $h: String!', { l: loanId, h: hash }, b.token);
      await activate(loanId);
      loanHistory('happy-path-e-signature-to-activation', loanId);
    }
    if (wanted('signed-upload-to-activation')) {
      const b = await borrower();
      const { loanId } = await toAgreement(b);
      const form = new FormData();
      form.append('loanId', loanId);
      form.append('type', 'SIGNED_AGREEMENT');
      form.append('file', new Blob([Buffer.from('%PDF-1.4\n% signed on paper\n%%EOF\n', 'latin1')], { type: 'application/pdf' }), 'signed.pdf');
      const res = await fetch(`${url}/documents`, { method: 'POST', body: form, headers: { authorization: `Bearer ${manager.token}` } });
      if (res.status !== 201) throw new Error(`signed upload: ${res.status} ${await res.text()}`);
      await activate(loanId);
      loanHistory('signed-upload-to-activation', loanId);
    }
    if (wanted('kyc-rejection')) {
      const b = await borrower();
      const loanId = await apply(b);
      await act('submitApplication(loanId: $l)', '$l: ID!', { l: loanId }, b.token);
      await act('decideKyc(loanId: $l, approve: false, reason: "identity could not be verified")', '$l: ID!', { l: loanId }, manager.token);
      loanHistory('kyc-rejection', loanId);
    }
    if (wanted('withdrawal')) {
      const b = await borrower();
      const loanId = await toDiscussion(b);
      await act('withdrawApplication(loanId: $l, reason: "found better terms", clientMutationId: "withdraw-1")', '$l: ID!', { l: loanId }, b.token);
      loanHistory('withdrawal', loanId);
    }
    if (wanted('offer-expiry')) {
      config.origination.offerExpirySeconds = 2;
      const b = await borrower();
      const loanId = await toDiscussion(b);
      config.origination.offerExpirySeconds = 3600;
      await act('sendOffer(loanId: $l, principal: "8000.00", annualInterestRate: "12", numberOfRepayments: 12)', '$l: ID!', { l: loanId }, officer.token);
      await waitFor('the offer to expire', async () => (await gql(`query($id: ID!) { loan(id: $id) { stage } }`, { id: loanId }, officer.token)).stage === 'EXPIRED');
      loanHistory('offer-expiry', loanId);
    }
    if (wanted('servicing-repayments-to-payoff')) {
      // Servicing and closing by payoff: repayments (one resent with its key), then the payoff closes the loan.
      const b = await borrower();
      const { loanId, hash } = await toAgreement(b);
      await act('signAgreement(loanId: $l, signerName: "Rec Orded", documentHash: $h)', '$l: ID!, $h: String!', { l: loanId, h: hash }, b.token);
      await activate(loanId);
      await repay(loanId, '100.00', 'rec-repay-1');
      await repay(loanId, '100.00', 'rec-repay-1');
      await repay(loanId, '250.50', 'rec-repay-2');
      await gql(`mutation($l: ID!) { payOffLoan(loanId: $l, idempotencyKey: "rec-payoff") { id } }`, { l: loanId }, officer.token);
      await temporal.client.workflow.getHandle(loanWorkflowId(loanId)).result();
      loanHistory('servicing-repayments-to-payoff', loanId);
    }
    if (['close-of-business', 'close-of-business-partition', 'closed-by-close-of-business', 'business-day-schedule'].some(wanted)) {
      // COB: the parent, a partition child, and a loan that COB finds settled and closes through its workflow.
      await gql(`mutation($p: ID!, $i: ProductServicingInput!) { configureProductServicing(productId: $p, input: $i) { id } }`,
        { p: product.id, i: { accountingRule: 'ACCRUAL_PERIODIC', allocationStrategy: 'PENALTIES_FEES_INTEREST_PRINCIPAL' } }, admin.token);
      const settled = await borrower();
      const { loanId, hash } = await toAgreement(settled);
      await act('signAgreement(loanId: $l, signerName: "Rec Orded", documentHash: $h)', '$l: ID!, $h: String!', { l: loanId, h: hash }, settled.token);
      await activate(loanId);
      // Settled outside the servicing path (balances migrated in from another system): COB closes it.
      await orm.em.fork().getConnection().execute(
        `update loan_installment set principal_paid = principal_due, interest_paid = interest_due, completed = true where loan_id = ?`, [loanId]);
      const today = await businessDate();
      const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const cob = (await advance(tomorrow, true)).cob!;
      await temporal.client.workflow.getHandle(cob.workflowId).result();
      await temporal.client.workflow.getHandle(loanWorkflowId(loanId)).result();
      recorded['close-of-business'] = { workflowId: cob.workflowId, workflowType: 'closeOfBusinessWorkflow' };
      recorded['close-of-business-partition'] = { workflowId: `${cob.workflowId}-p0`, workflowType: 'cobPartitionWorkflow' };
      loanHistory('closed-by-close-of-business', loanId);

      // The daily schedule's action: advance the business date (compare-and-set), then close the day.
      const scheduleId = `record-histories-${randomUUID()}`;
      await temporal.ensureCobSchedule(cobSettings(config), '0 0 1 1 *', 'UTC', scheduleId);
      const schedule = temporal.client.schedule.getHandle(scheduleId);
      try {
        await schedule.trigger();
        let runId = '';
        await waitFor('the scheduled business day', async () => {
          const actions = (await schedule.describe()).info.recentActions;
          runId = actions[0]?.action.workflow.workflowId ?? '';
          return runId !== '';
        });
        await temporal.client.workflow.getHandle(runId).result();
        recorded['business-day-schedule'] = { workflowId: runId, workflowType: 'businessDayWorkflow' };
      } finally {
        await schedule.delete();
      }
    }

    mkdirSync(HISTORIES_DIR, { recursive: true });
    for (const [name, { workflowId, workflowType }] of Object.entries(recorded)) {
      if (!wanted(name)) continue;
      const handle = temporal.client.workflow.getHandle(workflowId);
      const history = await handle.fetchHistory();
      const file = join(HISTORIES_DIR, `${name}.json`);
      const record = { workflowId, workflowType, recordedAt: new Date().toISOString(), history: encodeHistory(history) };
      writeFileSync(file, `${JSON.stringify(record, null, 1)}\n`);
      console.log(`${file}: ${history.events?.length ?? 0} events (${(await handle.describe()).status.name})`);
    }
  } finally {
    await api.apollo.stop();
    worker.shutdown();
    await running;
    await connection.close();
    await temporal.close();
    await orm.close();
    await dropDatabase(config.databaseUrl);
    if (devServer) await stopDevServer(devServer);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
