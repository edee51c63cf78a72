/**
 * Notifications end to end: loan events go outbox → relay → RabbitMQ → consumer → inbox + deliveries;
 * e-mail arrives at a real SMTP server (smtp-server on a free port), SMS and push go to real HTTP
 * webhook servers (one flaky, one always failing → dead-letter queue on RabbitMQ). Preferences,
 * ADMIN templates, the GraphQL inbox, and a duplicate delivery that sends nothing twice.
 */
import { createServer, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import amqp, { type ChannelModel } from 'amqplib';
import { Customer, Notification, NotificationDelivery, OutboxEvent } from '../../src/entities';
import { startEventServices, type EventServices } from '../../src/events/runtime';
import { recordBulkEvent } from '../../src/services/outbox.service';
import { logger } from '../../src/logger';
import { eventually, startTestApp, TEST_PASSWORD, unique, type TestApp } from '../utils';
import { APPLY, applicationInput, createProduct } from '../graphql/fixtures';
import { deleteExchange, eventsConfig, ownDatabase, RABBITMQ_URL } from '../events/helpers';

interface Mail {
  to: string;
  subject: string;
  text: string;
  headers: string;
}

let app: TestApp;
let db: { url: string; drop(): Promise<void> };
let services: EventServices;
let smtp: SMTPServer;
const mails: Mail[] = [];
let smsServer: Server;
let pushServer: Server;
const smsCalls: { key: string; body: any }[] = [];
const pushCalls: { key: string; body: any }[] = [];
let dlqConn: ChannelModel;
const deadLetters: any[] = [];
let productId: string;

/** Decodes the quoted-printable text part of a raw message (enough for nodemailer's plain text). */
function parseMail(raw: string): Mail {
  const [head, ...rest] = raw.split(/\r\n\r\n/);
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(unfolded)?.[1] ?? '';
  let text = rest.join('\r\n\r\n');
  if (/quoted-printable/i.test(header('Content-Transfer-Encoding'))) {
    text = text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
  return { to: header('To'), subject: header('Subject'), text: text.trim(), headers: unfolded };
}

function webhook(calls: { key: string; body: any }[], status: (attempt: number) => number): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      calls.push({ key, body: JSON.parse(body) });
      res.statusCode = status(calls.filter((c) => c.key === key).length);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const portOf = (s: Server) => (s.address() as { port: number }).port;

beforeAll(async () => {
  db = await ownDatabase();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push(parseMail(raw));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  // SMS provider fails twice per message, then accepts; the push provider always fails.
  smsServer = await webhook(smsCalls, (attempt) => (attempt <= 2 ? 503 : 202));
  pushServer = await webhook(pushCalls, () => 500);

  app = await startTestApp({
    configure: (c) => {
      eventsConfig(c, db.url);
      c.notifications = {
        ...c.notifications,
        smtp: { ...c.notifications.smtp, host: '127.0.0.1', port: (smtp.server.address() as { port: number }).port, secure: false },
        smsWebhookUrl: `http://127.0.0.1:${portOf(smsServer)}/sms`,
        pushWebhookUrl: `http://127.0.0.1:${portOf(pushServer)}/push`,
        maxAttempts: 3,
        retryBaseMs: 50,
      };
    },
  });
  services = startEventServices({ orm: app.orm, config: app.config, log: logger });
  dlqConn = await amqp.connect(RABBITMQ_URL);
  const ch = await dlqConn.createChannel();
  await ch.assertQueue(app.config.notifications.deadLetterQueue, { durable: true });
  await ch.consume(app.config.notifications.deadLetterQueue, (m) => m && deadLetters.push(JSON.parse(m.content.toString())), { noAck: true });
  productId = await createProduct(app);
});

afterAll(async () => {
  await services?.stop();
  await dlqConn?.close().catch(() => undefined);
  if (app) {
    const conn = await amqp.connect(RABBITMQ_URL);
    const ch = await conn.createChannel();
    await ch.deleteQueue(app.config.notifications.queue).catch(() => undefined);
    await ch.deleteQueue(app.config.notifications.deadLetterQueue).catch(() => undefined);
    await conn.close();
    await deleteExchange(app.config.events.exchange).catch(() => undefined);
  }
  await app?.close();
  await new Promise<void>((r) => smtp?.close(() => r()));
  smsServer?.close();
  pushServer?.close();
  await db?.drop();
});

async function borrower(): Promise<{ token: string; customerId: string; email: string; userId: string }> {
  const email = `${unique('nb')}@example.com`;
  const res = await app.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }`,
    { i: { firstName: 'Ada', lastName: 'Lovelace', email, password: TEST_PASSWORD } }, null);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  const customerId = (await app.orm.em.fork().findOneOrFail(Customer, { email })).id;
  return { token: res.data.register.accessToken, customerId, email, userId: res.data.register.user.id };
}

async function ok(query: string, vars: Record<string, unknown>, token?: string): Promise<any> {
  const res = await app.gql(query, vars, token);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return Object.values(res.data)[0];
}

const INBOX = `query { notifications { id eventType loanId title body readAt } unreadNotificationCount }`;
const deliveriesOf = (userId: string) => app.orm.em.fork().find(NotificationDelivery, { userId }, { orderBy: { id: 'asc' } });

describe('a borrower is notified about their loan', () => {
  let b: Awaited<ReturnType<typeof borrower>>;
  let loanId: string;

  beforeAll(async () => {
    b = await borrower();
    await ok(`mutation($id: ID!, $i: CustomerProfileInput!) { updateCustomerProfile(customerId: $id, input: $i) { id } }`, { id: b.customerId, i: { phone: '+15550100' } }, b.token);
    const pref = await ok(`mutation { setNotificationPreference(eventType: "LoanStageChanged", channels: [IN_APP, EMAIL, SMS, PUSH]) { eventType channels } }`, {}, b.token);
    expect(pref).toEqual({ eventType: 'LoanStageChanged', channels: ['IN_APP', 'EMAIL', 'SMS', 'PUSH'] });
  });

  it('applying puts "application received" in the inbox and an e-mail arrives over SMTP', async () => {
    loanId = (await ok(APPLY, { input: applicationInput(b.customerId, productId) }, b.token)).id;
    await eventually(async () => mails.some((m) => m.to.includes(b.email)), 30000, 'e-mail received');
    const mail = mails.find((m) => m.to.includes(b.email))!;
    expect(mail.subject).toBe('We received your loan application');
    expect(mail.text).toBe(`Hello Ada, we received your application for 10000 USD over 12 repayments (loan ${loanId}).`);
    expect(mail.headers).toMatch(new RegExp(`X-Idempotency-Key: loan-${loanId}-created:${b.userId}:EMAIL`));
    const inbox = await ok(INBOX, {}, b.token);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ eventType: 'LoanCreated', loanId, title: 'We received your loan application', readAt: null });
    expect((await deliveriesOf(b.userId)).map((d) => [d.channel, d.status, d.attempts])).toEqual([['EMAIL', 'SENT', 1]]);
  });

  it('a stage change goes to every chosen channel: SMS retried until the provider accepts, push dead-lettered', async () => {
    await ok(`mutation($id: ID!) { submitApplication(loanId: $id) { stage } }`, { id: loanId }, b.token);
    await eventually(async () => {
      const all = await deliveriesOf(b.userId);
      return all.length === 4 && all.every((d) => d.status === 'SENT' || d.status === 'DEAD');
    }, 30000, 'deliveries settled');
    const byChannel = Object.fromEntries((await deliveriesOf(b.userId)).filter((d) => d.eventType === 'LoanStageChanged').map((d) => [d.channel, d]));
    expect(byChannel.EMAIL).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(byChannel.SMS).toMatchObject({ status: 'SENT', attempts: 3, recipient: '+15550100', lastError: null });
    expect(byChannel.PUSH).toMatchObject({ status: 'DEAD', attempts: 3, recipient: b.userId, lastError: 'PUSH provider answered HTTP 500' });

    const sms = smsCalls.filter((c) => c.key.startsWith(`loan-${loanId}-`));
    expect(sms).toHaveLength(3);
    expect(new Set(sms.map((c) => c.key)).size).toBe(1);
    expect(sms[2].body).toMatchObject({ channel: 'SMS', to: '+15550100', eventType: 'LoanStageChanged', subject: 'Your loan application is now in KYC_REVIEW' });
    expect(sms[2].body.body).toBe(`Hello Ada, your loan ${loanId} moved from APPLICATION to KYC_REVIEW (SUBMITTED).`);
    expect(pushCalls.filter((c) => c.key.startsWith(`loan-${loanId}-`))).toHaveLength(3);
    await eventually(async () => deadLetters.some((d) => d.userId === b.userId), 20000, 'dead letter');
    expect(deadLetters.find((d) => d.userId === b.userId)).toMatchObject({ channel: 'PUSH', attempts: 3, lastError: 'PUSH provider answered HTTP 500', eventType: 'LoanStageChanged' });

    await eventually(async () => mails.filter((m) => m.to.includes(b.email)).length === 2, 20000, 'second e-mail');
    expect(mails.filter((m) => m.to.includes(b.email)).map((m) => m.subject)).toEqual(['We received your loan application', 'Your loan application is now in KYC_REVIEW']);
  });

  it('the inbox over GraphQL: newest first, unread count, mark read (only your own)', async () => {
    const inbox = await app.gql(INBOX, {}, b.token);
    expect(inbox.data.notifications.map((n: { eventType: string }) => n.eventType)).toEqual(['LoanStageChanged', 'LoanCreated']);
    expect(inbox.data.unreadNotificationCount).toBe(2);
    const first = inbox.data.notifications[1].id;
    const other = await borrower();
    expect((await app.gql(`mutation($id: ID!) { markNotificationRead(id: $id) { id } }`, { id: first }, other.token)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await app.gql(INBOX, {}, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const read = await ok(`mutation($id: ID!) { markNotificationRead(id: $id) { id readAt } }`, { id: first }, b.token);
    expect(read.readAt).not.toBeNull();
    expect((await ok(`query { unreadNotificationCount }`, {}, b.token))).toBe(1);
    expect(await ok(`mutation { markAllNotificationsRead }`, {}, b.token)).toBe(1);
    expect((await ok(`query { notifications(unreadOnly: true) { id } }`, {}, b.token))).toEqual([]);
  });

  it('a duplicate delivery of an event (the relay publishing it again) sends nothing twice', async () => {
    const em = app.orm.em.fork();
    const before = { mails: mails.length, inbox: await em.count(Notification, { user: b.userId }), deliveries: (await deliveriesOf(b.userId)).length, sms: smsCalls.length };
    const processed = services.consumer!.processed;
    // At-least-once for real: the row is unmarked, so the relay publishes the same event a second time.
    await em.nativeUpdate(OutboxEvent, { idempotencyKey: `loan-${loanId}-created` }, { sentAt: null });
    await eventually(async () => services.consumer!.processed > processed, 20000, 'duplicate consumed');
    await eventually(async () => (await em.fork().count(OutboxEvent, { idempotencyKey: `loan-${loanId}-created`, sentAt: null })) === 0, 20000, 're-sent');
    expect(await services.dispatcher!.runOnce()).toBe(0);
    expect({ mails: mails.length, inbox: await em.fork().count(Notification, { user: b.userId }), deliveries: (await deliveriesOf(b.userId)).length, sms: smsCalls.length }).toEqual(before);
  });
  it('a COB bulk message notifies per item: the penalty inside it reaches the inbox (CobLoanProcessed has no template)', async () => {
    await app.orm.em.fork().transactional((tx) => recordBulkEvent(tx, {
      aggregateId: loanId, businessDate: '2026-11-23', idempotencyKey: `cob-2026-11-23-${loanId}`,
      items: [
        { type: 'PenaltyApplied', data: { loanId, customerId: b.customerId, appliedOn: '2026-11-23', currencyCode: 'USD', amount: '15.00', installmentNumber: 2 } },
        { type: 'CobLoanProcessed', data: { loanId, businessDate: '2026-11-23', steps: ['APPLY_PENALTIES'], status: 'SUCCESS' } },
      ],
    }));
    await eventually(async () => (await ok(INBOX, {}, b.token)).some((n: { eventType: string }) => n.eventType === 'PenaltyApplied'), 30000, 'penalty notification');
    const inbox = await ok(INBOX, {}, b.token);
    expect(inbox.map((n: { eventType: string }) => n.eventType)).toEqual(['PenaltyApplied', 'LoanStageChanged', 'LoanCreated']);
    expect(inbox[0]).toMatchObject({ loanId, title: 'A late payment penalty was charged', body: `Hello Ada, a penalty of 15.00 USD was charged on 2026-11-23 to loan ${loanId} because a repayment is overdue.` });
  });
});

describe('preferences and templates', () => {
  it('a user who wants only IN_APP for LoanCreated gets no e-mail; an ADMIN template is used', async () => {
    const b = await borrower();
    await ok(`mutation { setNotificationPreference(eventType: "LoanCreated", channels: [IN_APP]) { channels } }`, {}, b.token);
    expect(await ok(`query { notificationPreferences { eventType channels } }`, {}, b.token)).toEqual([
      { eventType: '*', channels: ['IN_APP', 'EMAIL'] }, { eventType: 'LoanCreated', channels: ['IN_APP'] },
    ]);
    const bad = await app.gql(`mutation { setNotificationPreference(eventType: "Nope", channels: [EMAIL]) { channels } }`, {}, b.token);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'eventType' });
    const customerToken = b.token;
    expect((await app.gql(`mutation { setNotificationTemplate(eventType: "LoanCreated", subject: "x", body: "y") { custom } }`, {}, customerToken)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await ok(`mutation { setNotificationTemplate(eventType: "LoanCreated", channel: "IN_APP", subject: "Thanks {{firstName}}", body: "{{principal}} {{currencyCode}} requested") { custom } }`, {});

    const loanId = (await ok(APPLY, { input: applicationInput(b.customerId, productId, { principal: '2500.00' }) }, b.token)).id;
    await eventually(async () => (await ok(INBOX, {}, b.token)).length === 1, 30000, 'inbox entry');
    expect((await ok(INBOX, {}, b.token))[0]).toMatchObject({ eventType: 'LoanCreated', loanId, title: 'Thanks Ada', body: '2500 USD requested' });
    expect(await deliveriesOf(b.userId)).toEqual([]);
    expect(mails.some((m) => m.to.includes(b.email))).toBe(false);
  });
});
