import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Customer, Loan, LoanProduct } from '../../entities';
import { applyForLoan, listLoans, readLoanWithRows } from '../../services/loan.service';
import { type LoanEventRow, type LoanRoot, type LoanRow } from '../../services/loan-read.service';
import { encodeCursor } from '../../services/pagination';
import type { GraphQLContext } from '../context';
import { selectsField, selectsPath } from '../selection';
import { CustomerType } from '../customers/customer.type';
import { LoanProductType } from '../products/loan-product.type';
import { ApplyForLoanInput, LoanFilter } from './loan.inputs';
import { LoanConnection, LoanTimelineEntryType, LoanType, LoanWorkflowType } from './loan.type';

@Resolver(() => LoanType)
export class LoanResolver {
  @Authorized('CUSTOMER', 'LOAN_OFFICER')
  @Mutation(() => LoanType, {
    description: 'Submits an application (a customer for themself, or a loan officer for a customer): persists the loan (SUBMITTED) and starts its workflow `loan-<id>`. ' +
      'BAD_USER_INPUT (naming the field) for an unknown customer or product, or terms outside the product; nothing is written then.',
  })
  applyForLoan(@Arg('input') input: ApplyForLoanInput, @Ctx() ctx: GraphQLContext): Promise<Loan> {
    return applyForLoan(ctx, input);
  }

  @Authorized()
  @Query(() => LoanType, { nullable: true, description: "A loan by id, or null if there is none. FORBIDDEN for another customer's loan." })
  async loan(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<LoanRow | null> {
    try {
      // The rows the selected fields read come in the loan's own round trip; the loaders then have them.
      const selects = (name: string) => selectsField(info, name);
      const read = await readLoanWithRows(ctx, id, {
        customer: selects('customer'),
        // payoffQuote computes from the product's digits and the installment rows.
        product: selects('product') || selects('payoffQuote'),
        json: { origination: selects('origination'), scheduleSettings: selects('scheduleSettings') },
        installments: selects('installments') || selects('payoffQuote'),
        transactions: selects('transactions'),
        balances: selects('balances'),
      });
      const { loan } = read;
      if (read.customer) ctx.loaders.customer.prime(loan.customer.id, read.customer);
      if (read.product) ctx.loaders.loanProduct.prime(loan.product.id, read.product);
      if (read.installments) ctx.loaders.installments.prime(loan.id, read.installments);
      if (read.transactions) ctx.loaders.transactions.prime(loan.id, read.transactions);
      if (read.businessDate !== undefined) {
        ctx.loaders.primeBusinessDate(read.businessDate);
        ctx.loaders.balances.prime(loan.id, read.balances);
      }
      return loan;
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  @Authorized()
  @Query(() => LoanConnection, {
    description: 'Loans, newest first, as a Relay connection. A customer sees only their own.',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Number(args.first ?? 20),
  })
  async loans(
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => LoanFilter, { nullable: true }) filter?: LoanFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<LoanConnection> {
    const node = (field: string) => selectsPath(info, ['edges', 'node', field]);
    // The page's balances and payoff quotes are as of the business date: read with the page, not after it.
    const needsBalances = node('balances');
    const needsBusinessDate = needsBalances || node('payoffQuote');
    const page = await listLoans(ctx, filter ?? {}, first, after, selectsField(info, 'totalCount'),
      { origination: node('origination'), scheduleSettings: node('scheduleSettings') }, needsBusinessDate, needsBalances);
    if (page.businessDate !== undefined) ctx.loaders.primeBusinessDate(page.businessDate);
    for (const [id, sums] of page.balances ?? []) ctx.loaders.balances.prime(id, sums);
    const edges = page.items.map((loan) => ({ cursor: encodeCursor(loan), node: loan as unknown as LoanType }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
      totalCount: page.totalCount,
    };
  }

  @FieldResolver(() => CustomerType)
  async customer(@Root() loan: LoanRoot, @Ctx() ctx: GraphQLContext): Promise<Customer | undefined> {
    return ctx.loaders.customer.load(loan.customer.id);
  }

  @FieldResolver(() => LoanProductType)
  async product(@Root() loan: LoanRoot, @Ctx() ctx: GraphQLContext): Promise<LoanProduct | undefined> {
    return ctx.loaders.loanProduct.load(loan.product.id);
  }

  @FieldResolver(() => LoanWorkflowType)
  workflow(@Root() loan: LoanRoot, @Ctx() ctx: GraphQLContext): LoanWorkflowType {
    const { uiUrl, namespace } = ctx.config.temporal;
    const ns = encodeURIComponent(namespace);
    const base = `${uiUrl}/namespaces/${ns}/workflows`;
    return {
      workflowId: loan.workflowId,
      runId: loan.workflowRunId ?? null,
      url: loan.workflowRunId
        ? `${base}/${encodeURIComponent(loan.workflowId)}/${loan.workflowRunId}/history`
        : `${base}/${encodeURIComponent(loan.workflowId)}`,
      searchUrl: `${base}?query=${encodeURIComponent(`LoanId="${loan.id}"`)}`,
    };
  }

  @FieldResolver(() => [LoanTimelineEntryType], { description: 'Everything that happened to the loan, oldest first.' })
  timeline(@Root() loan: LoanRoot, @Ctx() ctx: GraphQLContext): Promise<LoanEventRow[]> {
    return ctx.loaders.timeline.load(loan.id);
  }
}
