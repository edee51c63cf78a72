/**
 * The business date moves by compare-and-set: a retried advance (an activity attempt whose answer was
 * lost, a client resending) changes nothing; a date someone else moved is CONFLICT. Real PostgreSQL,
 * a database of its own (the business date is global to a database).
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { dropDatabase, openDatabase } from '../../src/database';
import { DomainError } from '../../src/domain/errors';
import { advanceBusinessDateFrom, compareAndSetBusinessDate, currentBusinessDate, setBusinessDate } from '../../src/services/business-date.service';
import { createCobActivities } from '../../src/activities/cob.activities';
import { loadConfig } from '../../src/config';

let orm: MikroORM;
let url: string;

beforeAll(async () => {
  const u = new URL(process.env.DATABASE_URL!);
  u.pathname = `${u.pathname}_bizdate`;
  url = u.toString();
  orm = await openDatabase(url, { migrate: true });
  await setBusinessDate(orm.em.fork(), '2030-01-10');
});

afterAll(async () => {
  await orm?.close();
  if (url) await dropDatabase(url);
});

it('advances exactly one day however often the same advance is retried', async () => {
  const from = await currentBusinessDate(orm.em.fork());
  expect(await advanceBusinessDateFrom(orm.em.fork(), from)).toBe('2030-01-11');
  expect(await advanceBusinessDateFrom(orm.em.fork(), from)).toBe('2030-01-11');
  expect(await Promise.all([1, 2, 3].map(() => advanceBusinessDateFrom(orm.em.fork(), '2030-01-11')))).toEqual(['2030-01-12', '2030-01-12', '2030-01-12']);
  expect(await currentBusinessDate(orm.em.fork())).toBe('2030-01-12');
});

it('refuses to move a date that someone else moved (CONFLICT) or to move it back', async () => {
  await expect(compareAndSetBusinessDate(orm.em.fork(), '2030-01-05', '2030-01-06')).rejects.toMatchObject({ code: 'CONFLICT', field: 'expectedBusinessDate' });
  await expect(compareAndSetBusinessDate(orm.em.fork(), '2030-01-12', '2030-01-01')).rejects.toBeInstanceOf(DomainError);
  expect(await currentBusinessDate(orm.em.fork())).toBe('2030-01-12');
});

it('the daily workflow\'s activity is the same compare-and-set: a retried attempt reports the same day and moves nothing', async () => {
  const acts = createCobActivities({ orm, config: loadConfig() } as never);
  const from = await acts.readBusinessDate();
  const first = await acts.advanceBusinessDateFrom({ from });
  const retried = await acts.advanceBusinessDateFrom({ from });
  expect(retried).toEqual(first);
  expect(first).toEqual({ businessDate: '2030-01-13', cobDate: '2030-01-12' });
  // A date moved by someone else is a non-retryable failure, not a second advance.
  await expect(acts.advanceBusinessDateFrom({ from: '2030-01-01' })).rejects.toMatchObject({ type: 'CONFLICT', nonRetryable: true });
  expect(await currentBusinessDate(orm.em.fork())).toBe('2030-01-13');
});
