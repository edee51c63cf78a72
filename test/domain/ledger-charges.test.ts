import { journalLines, zeroPortions, type JournalLine } from '../../src/domain/ledger';
import { Decimal } from '../../src/domain/money';

const d = (x: string) => new Decimal(x);
const show = (lines: JournalLine[]) => lines.map((l) => [l.role, l.entryType, l.amount.toFixed()]);

describe('posting rules for charges added to a loan', () => {
  it('books an added fee or penalty receivable under accrual and nothing under cash', () => {
    expect(show(journalLines('CHARGE', 'ACCRUAL_PERIODIC', d('25'), { ...zeroPortions(), fee: d('25') }))).toEqual([
      ['FEES_RECEIVABLE', 'DEBIT', '25'], ['INCOME_FROM_FEES', 'CREDIT', '25'],
    ]);
    expect(show(journalLines('CHARGE', 'ACCRUAL_PERIODIC', d('10'), { ...zeroPortions(), penalty: d('10') }))).toEqual([
      ['PENALTIES_RECEIVABLE', 'DEBIT', '10'], ['INCOME_FROM_PENALTIES', 'CREDIT', '10'],
    ]);
    expect(journalLines('CHARGE', 'CASH', d('25'), { ...zeroPortions(), fee: d('25') })).toEqual([]);
    expect(show(journalLines('WAIVE_CHARGE', 'ACCRUAL_PERIODIC', d('25'), { ...zeroPortions(), fee: d('25') }))).toEqual([
      ['INCOME_FROM_FEES', 'DEBIT', '25'], ['FEES_RECEIVABLE', 'CREDIT', '25'],
    ]);
  });

  it('splits a repayment fee portion between fees receivable and fee income under accrual only', () => {
    const portions = { ...zeroPortions(), principal: d('100'), fee: d('27.5'), feeReceivable: d('25') };
    expect(show(journalLines('REPAYMENT', 'ACCRUAL_PERIODIC', d('127.5'), portions))).toEqual([
      ['FUND_SOURCE', 'DEBIT', '127.5'], ['LOAN_PORTFOLIO', 'CREDIT', '100'], ['FEES_RECEIVABLE', 'CREDIT', '25'], ['INCOME_FROM_FEES', 'CREDIT', '2.5'],
    ]);
    expect(show(journalLines('REPAYMENT', 'CASH', d('127.5'), portions))).toEqual([
      ['FUND_SOURCE', 'DEBIT', '127.5'], ['LOAN_PORTFOLIO', 'CREDIT', '100'], ['INCOME_FROM_FEES', 'CREDIT', '27.5'],
    ]);
  });
});
