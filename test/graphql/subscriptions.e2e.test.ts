/**
 * GraphQL subscriptions over graphql-ws, fed from RabbitMQ (outbox → relay → exchange → the API's
 * event bus): a loan's stage changes and the notification inbox, authorized like queries.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { Customer } from '../../src/entities';
import { startEventServices, type EventServices } from '../../src/events/runtime';
import { logger } from '../../src/logger';
import { eventually, startTestApp, TEST_PASSWORD, unique, type TestApp } from '../utils';
import { APPLY, applicationInput, createProduct } from './fixtures';
import { deleteExchange, eventsConfig, ownDatabase } from '../events/helpers';
import amqp from 'amqplib';
import { RABBITMQ_URL } from '../events/helpers';

let app: TestApp;
let db: { url: string; drop(): Promise<void> };
let services: EventServices;
let productId: string;
const clients: Client[] = [];

beforeAll(async () => {
  db = await ownDatabase();
  app = await startTestApp({ eventBus: true, configure: (c) => eventsConfig(c, db.url) });
  services = startEventServices({ orm: app.orm, config: app.config, log: logger });
  productId = await createProduct(app);
  await eventually(async () => !!app.events?.connected, 20000, 'event bus connected');
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await services?.stop();
  if (app) {
    const conn = await amqp.connect(RABBITMQ_URL);
    const ch = await conn.createChannel();
    await ch.deleteQueue(app.config.notifications.queue).catch(() => undefined);
    await conn.close();
    await deleteExchange(app.config.events.exchange).catch(() => undefined);
  }
  await app?.close();
  await db?.drop();
});

function ws(token: string | null): Client {
  const client = createClient({
    url: `${app.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
}

async function borrower(): Promise<{ token: string; customerId: string }> {
  const email = `${unique('sb')}@example.com`;
  const res = await app.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`,
    { i: { firstName: 'Sub', lastName: 'Scriber', email, password: TEST_PASSWORD } }, null);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return { token: res.data.register.accessToken, customerId: (await app.orm.em.fork().findOneOrFail(Customer, { email })).id };
}

async function apply(b: { token: string; customerId: string }): Promise<string> {
  const res = await app.gql(APPLY, { input: applicationInput(b.customerId, productId) }, b.token);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.applyForLoan.id;
}

const STAGE = `subscription($id: ID!) { loanStageChanged(loanId: $id) { eventId eventType loanId action fromStage toStage fromStatus toStatus occurredAt } }`;

it('the borrower receives their loan\'s stage change once it is committed', async () => {
  const b = await borrower();
  const loanId = await apply(b);
  const it = ws(b.token).iterate({ query: STAGE, variables: { id: loanId } });
  const next = it.next();
  await eventually(async () => app.events!.pubsub.subscriberCount('LOAN_STAGE_CHANGED', loanId) === 1, 20000, 'subscribed');
  const submitted = await app.gql(`mutation($id: ID!) { submitApplication(loanId: $id) { stage } }`, { id: loanId }, b.token);
  expect(submitted.data.submitApplication.stage).toBe('KYC_REVIEW');
  const { value } = await next;
  expect(value.errors).toBeUndefined();
  expect(value.data.loanStageChanged).toMatchObject({
    eventType: 'LoanStageChanged', loanId, action: 'APPLICATION_SUBMITTED', fromStage: 'APPLICATION', toStage: 'KYC_REVIEW', fromStatus: 'SUBMITTED', toStatus: 'SUBMITTED',
  });
  expect(value.data.loanStageChanged.eventId).toMatch(/^\d+$/);
  await it.return?.();
  await eventually(async () => app.events!.pubsub.subscriberCount('LOAN_STAGE_CHANGED', loanId) === 0, 20000, 'unsubscribed');
});

it('is authorized like loan(id): another customer is FORBIDDEN, nobody signed in is UNAUTHENTICATED', async () => {
  const owner = await borrower();
  const loanId = await apply(owner);
  const stranger = await borrower();
  const forbidden = await ws(stranger.token).iterate({ query: STAGE, variables: { id: loanId } }).next();
  expect(forbidden.value.errors[0].extensions.code).toBe('FORBIDDEN');
  const anonymous = await ws(null).iterate({ query: STAGE, variables: { id: loanId } }).next();
  expect(anonymous.value.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  const bad = await ws(owner.token).iterate({ query: STAGE, variables: { id: 'not-a-uuid' } }).next();
  expect(bad.value.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'loanId' });
  expect(app.events!.pubsub.subscriberCount('LOAN_STAGE_CHANGED', loanId)).toBe(0);
});

it('the inbox subscription delivers the new notification of the signed-in user only', async () => {
  const b = await borrower();
  const other = await borrower();
  const me = await app.gql(`{ me { id } }`, {}, b.token);
  const userId = me.data.me.id;
  const mine = ws(b.token).iterate({ query: `subscription { notificationReceived { id eventType loanId title body readAt } }` });
  const theirs = ws(other.token).iterate({ query: `subscription { notificationReceived { id eventType } }` });
  const next = mine.next();
  const otherNext = theirs.next();
  await eventually(async () => app.events!.pubsub.subscriberCount('NOTIFICATION_CREATED', userId) === 1, 20000, 'subscribed');
  const loanId = await apply(b);
  const { value } = await next;
  expect(value.data.notificationReceived).toMatchObject({ eventType: 'LoanCreated', loanId, title: 'We received your loan application', readAt: null });
  const inbox = await app.gql(`{ notifications { id } }`, {}, b.token);
  expect(inbox.data.notifications.map((n: { id: string }) => n.id)).toEqual([value.data.notificationReceived.id]);
  // The other user's subscription got nothing: their first event is their own application.
  const otherLoan = await apply(other);
  const o = await otherNext;
  expect(o.value.data.notificationReceived.eventType).toBe('LoanCreated');
  const otherInbox = await app.gql(`{ notifications { id loanId } }`, {}, other.token);
  expect(otherInbox.data.notifications).toEqual([{ id: o.value.data.notificationReceived.id, loanId: otherLoan }]);
  await mine.return?.();
  await theirs.return?.();
});
