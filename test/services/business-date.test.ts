/**
 * The business date moves by compare-and-set: a retried advance (an activity attempt whose answer was
 * lost, a client resending) changes nothing; a date someone else moved is CONFLICT. Real PostgreSQL,
 * a database of its own (the business date is global to a database).
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { addDays } from '../../src/domain/dates';
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

describe('currentBusinessDate shares one read among the requests of one turn of the event loop', () => {
  /** Statements pg receives from this process while `fn` runs. */
  const statements = async <T>(fn: () => Promise<T>): Promise<{ result: T; texts: string[] }> => {
    const texts: string[] = [];
    const original = Client.prototype.query;
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      const text = args[0];
      texts.push(typeof text === 'string' ? text : String((text as { text?: string })?.text ?? text));
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof Client.prototype.query;
    try {
      return { result: await fn(), texts };
    } finally {
      Client.prototype.query = original;
    }
  };
  const dateReads = (texts: string[]) => texts.filter((t) => t.includes('from business_date')).length;

  it('asked ten times at once: one statement, the same date for each', async () => {
    const today = await currentBusinessDate(orm.em.fork());
    const { result, texts } = await statements(() => Promise.all(Array.from({ length: 10 }, () => currentBusinessDate(orm.em.fork()))));
    expect(result).toEqual(Array(10).fill(today));
    expect(dateReads(texts)).toBe(1);
  });

  it('is as fresh as a read of its own: a date moved before the ask is seen, by the next turn too', async () => {
    const before = await currentBusinessDate(orm.em.fork());
    const next = addDays(before, 1);
    await setBusinessDate(orm.em.fork(), next);
    const { result, texts } = await statements(async () => [await currentBusinessDate(orm.em.fork()), await currentBusinessDate(orm.em.fork())]);
    expect(result).toEqual([next, next]);
    expect(dateReads(texts)).toBe(2); // one per turn: a later ask never gets an earlier read
  });

  it('inside a transaction reads in it (its snapshot, its connection), not in the shared read', async () => {
    const outside = await currentBusinessDate(orm.em.fork());
    const moved = addDays(outside, 1);
    const seen = await orm.em.fork().transactional(async (tx) => {
      await setBusinessDate(tx, moved); // not committed yet
      return Promise.all([currentBusinessDate(tx), currentBusinessDate(orm.em.fork())]);
    });
    expect(seen).toEqual([moved, outside]);
  });
});
