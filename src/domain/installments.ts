/**
 * A loan's installments as servicing sees them: what was scheduled (due) and what has been paid, per
 * component. Allocation, accrual, payoff, penalties and delinquency all work on this shape.
 */
import type { LocalDate } from './dates';
import { Decimal } from './money';
import type { ScheduleModel } from './schedule';

export const COMPONENTS = ['principal', 'interest', 'fee', 'penalty'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface Installment {
  period: number;
  fromDate: LocalDate;
  dueDate: LocalDate;
  due: Record<Component, Decimal>;
  paid: Record<Component, Decimal>;
  /** Waived amounts count as settled but were never paid. */
  waived: Record<Component, Decimal>;
}

export function zeroComponents(): Record<Component, Decimal> {
  return { principal: new Decimal(0), interest: new Decimal(0), fee: new Decimal(0), penalty: new Decimal(0) };
}

export function outstanding(i: Installment, c: Component): Decimal {
  return i.due[c].minus(i.paid[c]).minus(i.waived[c]);
}

export function totalOutstanding(i: Installment): Decimal {
  return COMPONENTS.reduce((acc, c) => acc.plus(outstanding(i, c)), new Decimal(0));
}

export function isSettled(i: Installment): boolean {
  return totalOutstanding(i).lte(0);
}

/** Fresh installments (nothing paid) from a generated schedule. */
export function installmentsFromSchedule(model: ScheduleModel): Installment[] {
  return model.periods.map((p) => ({
    period: p.period,
    fromDate: p.fromDate,
    dueDate: p.dueDate,
    due: { principal: p.principalDue, interest: p.interestDue, fee: p.feeChargesDue, penalty: p.penaltyChargesDue },
    paid: zeroComponents(),
    waived: zeroComponents(),
  }));
}

export function cloneInstallments(list: Installment[]): Installment[] {
  return list.map((i) => ({ ...i, due: { ...i.due }, paid: { ...i.paid }, waived: { ...i.waived } }));
}
