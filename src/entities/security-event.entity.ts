import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export const SECURITY_EVENT_TYPES = [
  'LOGIN_FAILED', 'LOGIN_LOCKOUT', 'REFRESH_TOKEN_REUSE', 'LOGOUT', 'USER_ROLES_CHANGED',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/**
 * The security audit trail: every failed sign-in (with why), every lockout, refresh-token reuse
 * (a stolen token: its family was revoked), logouts and role / activation changes.
 */
@Entity({ tableName: 'security_event' })
@Index({ properties: ['email', 'occurredAt'] })
@Index({ properties: ['occurredAt'] })
export class SecurityEvent {
  [OptionalProps]?: 'occurredAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'string', length: 32 })
  type!: SecurityEventType;

  /** The account concerned (for a failed sign-in: the e-mail tried, lower-cased, up to 254 characters). */
  @Property({ type: 'string', length: 254, nullable: true })
  email?: string | null;

  @Property({ type: 'uuid', nullable: true })
  userId?: string | null;

  /** Who did it, when not the account itself (an ADMIN changing roles). */
  @Property({ type: 'string', length: 100, nullable: true })
  actorId?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  ip?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  reason?: string | null;

  @Property({ type: 'json', nullable: true })
  data?: Record<string, unknown> | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  occurredAt: Date = new Date();
}
