import { DomainError } from '../domain/errors';
import { isStaff } from '../domain/roles';
import type { Actor, ServiceContext } from './context';

export function forbidden(message = 'You may not act on this record'): DomainError {
  return new DomainError('FORBIDDEN', message);
}

/** Staff (and the system) see every customer; a customer only themself. */
export function canAccessCustomer(actor: Actor, customerId: string): boolean {
  return actor.roles.includes('SYSTEM') || isStaff(actor.roles) || (actor.roles.includes('CUSTOMER') && actor.customerId === customerId);
}

export function assertCanAccessCustomer(ctx: ServiceContext, customerId: string): void {
  if (!canAccessCustomer(ctx.actor, customerId)) throw forbidden();
}

/** The actor acting in the first of `allowed` roles they hold (recorded on the timeline). */
export function actingAs(actor: Actor, allowed: readonly string[]): Actor {
  const role = actor.roles.find((r) => allowed.includes(r));
  if (!role) throw forbidden(`Requires one of the roles ${allowed.join(', ')}`);
  return { ...actor, role };
}

/** A customer acting only through their own Customer id; staff may name any customer. */
export function assertOwnCustomerOrStaff(ctx: ServiceContext, customerId: string): void {
  if (isStaff(ctx.actor.roles)) return;
  if (ctx.actor.customerId !== customerId) throw forbidden('Customers may only act for themselves');
}
