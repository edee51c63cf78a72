/**
 * postJournal looks the GL accounts up by code inside its one INSERT: a code with no account writes no
 * line at all (not the lines whose accounts exist) and is a ValidationError naming glMapping. Real
 * PostgreSQL, a database of its own. (Balanced postings are covered by every servicing test.)
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { ValidationError } from '../../src/domain/errors';
import { Decimal } from '../../src/domain/money';
import { postJournal } from '../../src/services/ledger.service';
import { sql } from '../../src/services/sql';
import { fileScratchDatabase } from '../utils';

let orm: MikroORM;
const scratch = fileScratchDatabase('ledger_posting');

beforeAll(async () => {
  orm = await scratch.open();
});

afterAll(() => scratch.close());

it('refuses a GL mapping to a code with no account, naming it, and writes no line', async () => {
  const em = orm.em.fork();
  const lines = [
    { role: 'LOAN_PORTFOLIO' as const, entryType: 'DEBIT' as const, amount: new Decimal('10.00') },
    { role: 'FUND_SOURCE' as const, entryType: 'CREDIT' as const, amount: new Decimal('10.00') },
  ];
  const target = {
    loanTransactionId: '1', loanId: '00000000-0000-4000-8000-000000000001', currencyCode: 'USD', businessDate: '2030-01-10',
    glMapping: { FUND_SOURCE: 'NO-SUCH-CODE' },
  };
  const failure = await em.transactional((tx) => postJournal(tx, target, lines)).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(ValidationError);
  expect(failure).toMatchObject({ field: 'glMapping', message: expect.stringContaining('NO-SUCH-CODE for FUND_SOURCE') });
  expect(await sql(orm.em.fork(), 'select 1 from journal_entry')).toEqual([]);
});
