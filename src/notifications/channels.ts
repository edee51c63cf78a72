/**
 * Delivery channels: e-mail over SMTP (nodemailer) and SMS / push through HTTP webhook providers.
 * Each send carries the delivery's idempotency key (Message-ID / Idempotency-Key header), so a
 * provider can drop the rare repeat after a crash between sending and recording it.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '../config';

export interface OutgoingMessage {
  idempotencyKey: string;
  channel: string;
  eventType: string;
  recipient: string;
  subject: string;
  body: string;
}

export interface Channel {
  readonly configured: boolean;
  send(message: OutgoingMessage): Promise<void>;
  close?(): void;
}

export class EmailChannel implements Channel {
  readonly configured = true;
  private readonly transport: Transporter;

  constructor(private readonly smtp: AppConfig['notifications']['smtp']) {
    this.transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
      connectionTimeout: 10_000,
    });
  }

  async send(m: OutgoingMessage): Promise<void> {
    const id = createHash('sha256').update(m.idempotencyKey).digest('hex').slice(0, 40);
    await this.transport.sendMail({
      from: this.smtp.from,
      to: m.recipient,
      subject: m.subject,
      text: m.body,
      messageId: `<${id}@loan-platform>`,
      headers: { 'X-Idempotency-Key': m.idempotencyKey, 'X-Event-Type': m.eventType },
    });
  }

  close(): void {
    this.transport.close();
  }
}

/** POSTs `{ idempotencyKey, channel, to, subject, body, eventType }` as JSON; any 2xx is success. */
export class WebhookChannel implements Channel {
  constructor(private readonly url: string, private readonly timeoutMs: number) {}

  get configured(): boolean {
    return this.url !== '';
  }

  async send(m: OutgoingMessage): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': m.idempotencyKey },
      body: JSON.stringify({ idempotencyKey: m.idempotencyKey, channel: m.channel, to: m.recipient, subject: m.subject, body: m.body, eventType: m.eventType }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!res.ok) throw new Error(`${m.channel} provider answered HTTP ${res.status}`);
  }
}

export function createChannels(config: AppConfig['notifications']): Record<'EMAIL' | 'SMS' | 'PUSH', Channel> {
  return {
    EMAIL: new EmailChannel(config.smtp),
    SMS: new WebhookChannel(config.smsWebhookUrl, config.webhookTimeoutMs),
    PUSH: new WebhookChannel(config.pushWebhookUrl, config.webhookTimeoutMs),
  };
}
