/**
 * The lender's calendar (ADMIN): non-working weekdays and holidays. Schedules move a due date that
 * falls on one by the product's repaymentRescheduleType (src/domain/holidays.ts).
 */
import { NotFoundError, ValidationError } from '../domain/errors';
import { daysBetween, requireLocalDate } from '../domain/dates';
import { validateCalendar, type Weekday, type WorkingCalendar } from '../domain/holidays';
import { Holiday, WorkingDays } from '../entities';
import { actingAs } from './authorization';
import type { ServiceContext } from './context';
import { requireText, requireUuid } from './validation';

export async function workingCalendar(ctx: Pick<ServiceContext, 'em'>): Promise<WorkingCalendar> {
  const [days, holidays] = await Promise.all([ctx.em.findOne(WorkingDays, 1), ctx.em.find(Holiday, {}, { orderBy: { fromDate: 'asc' } })]);
  return { nonWorkingDays: days?.nonWorkingDays ?? [], holidays: holidays.map((h) => ({ fromDate: h.fromDate, toDate: h.toDate })) };
}

export async function setWorkingDays(ctx: ServiceContext, nonWorkingDays: Weekday[]): Promise<WorkingCalendar> {
  actingAs(ctx.actor, ['ADMIN']);
  const valid = validateCalendar({ nonWorkingDays, holidays: [] });
  const row = (await ctx.em.findOne(WorkingDays, 1)) ?? ctx.em.create(WorkingDays, { id: 1, nonWorkingDays: valid.nonWorkingDays });
  row.nonWorkingDays = valid.nonWorkingDays;
  await ctx.em.flush();
  return workingCalendar(ctx);
}

export async function createHoliday(ctx: ServiceContext, input: { name: string; fromDate: string; toDate: string }): Promise<Holiday> {
  const actor = actingAs(ctx.actor, ['ADMIN']);
  const name = requireText('name', input.name, 100);
  const fromDate = requireLocalDate('fromDate', input.fromDate);
  const toDate = requireLocalDate('toDate', input.toDate);
  if (toDate < fromDate) throw new ValidationError('toDate', 'must not be before fromDate');
  if (daysBetween(fromDate, toDate) > 366) throw new ValidationError('toDate', 'a holiday spans at most a year');
  const h = ctx.em.create(Holiday, { name, fromDate, toDate, createdBy: actor.id });
  await ctx.em.flush();
  return h;
}

export async function deleteHoliday(ctx: ServiceContext, id: string): Promise<boolean> {
  actingAs(ctx.actor, ['ADMIN']);
  const h = await ctx.em.findOne(Holiday, { id: requireUuid('id', id) });
  if (!h) throw new NotFoundError('Holiday', id, 'id');
  await ctx.em.removeAndFlush(h);
  return true;
}

export async function listHolidays(ctx: ServiceContext): Promise<Holiday[]> {
  return ctx.em.find(Holiday, {}, { orderBy: { fromDate: 'asc' } });
}
