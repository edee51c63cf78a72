/** A user's notification inbox, channel preferences, and ADMIN's templates. */
import { NotFoundError, ValidationError } from '../domain/errors';
import { Notification, NotificationPreference, NotificationTemplate } from '../entities';
import { NOTIFICATION_CHANNELS } from '../entities/notification.entity';
import { ALL_EVENT_TYPES } from '../events/catalog';
import { DEFAULT_CHANNELS } from '../notifications/notification-consumer';
import { DEFAULT_TEMPLATES } from '../notifications/templates';
import { forbidden } from './authorization';
import type { ServiceContext } from './context';

function userOf(ctx: ServiceContext): string {
  if (!ctx.actor.authenticated || ctx.actor.id === 'system') throw forbidden('Notifications belong to a signed-in user');
  return ctx.actor.id;
}

export async function listNotifications(ctx: ServiceContext, opts: { unreadOnly?: boolean | null; first?: number | null } = {}): Promise<Notification[]> {
  const user = userOf(ctx);
  const first = opts.first ?? 20;
  if (first < 1 || first > 100) throw new ValidationError('first', 'must be between 1 and 100');
  return ctx.em.find(Notification, { user, ...(opts.unreadOnly ? { readAt: null } : {}) }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: first });
}

export function unreadCount(ctx: ServiceContext): Promise<number> {
  return ctx.em.count(Notification, { user: userOf(ctx), readAt: null });
}

/** Marks one of the caller's notifications read (NOT_FOUND for anyone else's). Idempotent. */
export async function markRead(ctx: ServiceContext, id: string): Promise<Notification> {
  const user = userOf(ctx);
  const n = await ctx.em.findOne(Notification, { id, user });
  if (!n) throw new NotFoundError('Notification', id, 'id');
  if (!n.readAt) {
    n.readAt = new Date();
    await ctx.em.flush();
  }
  return n;
}

export async function markAllRead(ctx: ServiceContext): Promise<number> {
  return ctx.em.nativeUpdate(Notification, { user: userOf(ctx), readAt: null }, { readAt: new Date() });
}

export interface PreferenceView {
  eventType: string;
  channels: string[];
}

/** The caller's preferences: `*` (the default for every event type) first, then per-type overrides. */
export async function listPreferences(ctx: ServiceContext): Promise<PreferenceView[]> {
  const rows = await ctx.em.find(NotificationPreference, { userId: userOf(ctx) }, { orderBy: { eventType: 'asc' } });
  const def = rows.find((r) => r.eventType === '*');
  return [{ eventType: '*', channels: def?.channels ?? DEFAULT_CHANNELS }, ...rows.filter((r) => r.eventType !== '*').map((r) => ({ eventType: r.eventType, channels: r.channels }))];
}

function checkChannels(channels: string[]): string[] {
  const unique = [...new Set(channels)];
  for (const c of unique) {
    if (!(NOTIFICATION_CHANNELS as readonly string[]).includes(c)) throw new ValidationError('channels', `each must be one of ${NOTIFICATION_CHANNELS.join(', ')}`);
  }
  return unique;
}

/** Sets the channels for one event type (or `*`); an empty list turns that type off for the caller. */
export async function setPreference(ctx: ServiceContext, eventType: string, channels: string[]): Promise<PreferenceView> {
  const userId = userOf(ctx);
  if (eventType !== '*' && !ALL_EVENT_TYPES.includes(eventType)) throw new ValidationError('eventType', 'unknown event type (or "*" for all)');
  const list = checkChannels(channels);
  await ctx.em.upsert(NotificationPreference, { userId, eventType, channels: list, updatedAt: new Date() });
  return { eventType, channels: list };
}

export interface TemplateView {
  eventType: string;
  channel: string;
  subject: string;
  body: string;
  custom: boolean;
}

export async function listTemplates(ctx: ServiceContext): Promise<TemplateView[]> {
  const custom = await ctx.em.find(NotificationTemplate, {}, { orderBy: { eventType: 'asc', channel: 'asc' } });
  return [
    ...Object.entries(DEFAULT_TEMPLATES).map(([eventType, t]) => ({ eventType, channel: '*', ...t, custom: false })),
    ...custom.map((t) => ({ eventType: t.eventType, channel: t.channel, subject: t.subject, body: t.body, custom: true })),
  ];
}

/** ADMIN: overrides the template of an event type for one channel (or `*`, every channel). */
export async function setTemplate(ctx: ServiceContext, input: { eventType: string; channel: string; subject: string; body: string }): Promise<TemplateView> {
  if (!DEFAULT_TEMPLATES[input.eventType]) throw new ValidationError('eventType', `one of ${Object.keys(DEFAULT_TEMPLATES).join(', ')}`);
  if (input.channel !== '*' && !(NOTIFICATION_CHANNELS as readonly string[]).includes(input.channel)) throw new ValidationError('channel', `"*" or one of ${NOTIFICATION_CHANNELS.join(', ')}`);
  const subject = input.subject.trim();
  if (!subject || subject.length > 200) throw new ValidationError('subject', 'is required (at most 200 characters)');
  if (!input.body.trim() || input.body.length > 5000) throw new ValidationError('body', 'is required (at most 5000 characters)');
  await ctx.em.upsert(NotificationTemplate, { eventType: input.eventType, channel: input.channel, subject, body: input.body, updatedAt: new Date() });
  return { ...input, subject, custom: true };
}
