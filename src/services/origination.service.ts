import { randomUUID } from 'node:crypto';
import { InvalidStageError } from '../domain/errors';
import { LOAN_ACTIONS, type ActionPayloads, type LoanActionName } from '../domain/origination';
import { Loan, LoanEvent } from '../entities';
import { WorkflowClosedError } from '../temporal-client';
import { actingAs } from './authorization';
import { requireTemporal, type ServiceContext } from './context';
import { getLoan } from './loan.service';
import { optionalText } from './validation';

/**
 * Sends a person's action to the loan's workflow as the Update of that name and returns the loan as
 * persisted afterwards. Authorization first (role here and in the validator, ownership via getLoan),
 * then the workflow's validator decides stage and input; a rejected action changes nothing.
 */
export async function performLoanAction<A extends LoanActionName>(
  ctx: ServiceContext,
  loanId: string,
  action: A,
  payload: ActionPayloads[A],
  clientMutationId?: string | null,
): Promise<Loan> {
  const temporal = requireTemporal(ctx);
  const loan = await getLoan(ctx, loanId, 'loanId');
  const actor = actingAs(ctx.actor, LOAN_ACTIONS[action].roles);
  const requestId = optionalText('clientMutationId', clientMutationId, 100) ?? randomUUID();
  try {
    await temporal.act(loan.id, action, { requestId, actor: { id: actor.id, role: actor.role }, payload });
  } catch (err) {
    if (!(err instanceof WorkflowClosedError)) throw err;
    // The workflow has ended; a retry of the request that ended it is a success, anything else is not.
    const done = await ctx.em.count(LoanEvent, { loan: loan.id, requestId });
    if (!done) throw new InvalidStageError(`${action} is not possible: the loan is ${loan.stage} (status ${loan.status})`);
  }
  return ctx.em.findOneOrFail(Loan, loan.id, { refresh: true });
}
