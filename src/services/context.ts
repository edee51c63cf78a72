import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config';
import type { LoanWorkflowGateway } from '../temporal-client';
import type { RateLimits } from './rate-limits';
import type { SessionRegistry } from './sessions';

/** Who is acting: a user (from the access token), the system (activities), or nobody. */
export interface Actor {
  id: string;
  /** The role the actor acts in, recorded on the timeline (their first role unless an action picks one). */
  role: string;
  roles: string[];
  /** Set for CUSTOMER users: the Customer record they are. */
  customerId?: string | null;
  authenticated: boolean;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', role: 'SYSTEM', roles: ['SYSTEM'], authenticated: true };
export const ANONYMOUS_ACTOR: Actor = { id: 'anonymous', role: 'ANONYMOUS', roles: [], authenticated: false };

/** First parameter of every service method: shared by GraphQL resolvers and Temporal activities. */
export interface ServiceContext {
  em: EntityManager;
  actor: Actor;
  config: AppConfig;
  /** Present in the API; activities run inside workflows and never start or signal them. */
  temporal?: LoanWorkflowGateway;
  /** The API's session cache and rate limiters; absent in activities (nothing signs in there). */
  security?: SecurityRuntime;
  /** The caller's IP address (per-IP limits, audit rows); absent outside HTTP / WebSocket requests. */
  ip?: string | null;
}

export interface SecurityRuntime {
  sessions: SessionRegistry;
  limits: RateLimits;
}

export function requireTemporal(ctx: ServiceContext): LoanWorkflowGateway {
  if (!ctx.temporal) throw new Error('This operation needs a Temporal client in the service context');
  return ctx.temporal;
}
