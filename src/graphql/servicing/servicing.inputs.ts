import { Field, InputType } from 'type-graphql';

@InputType({ description: "A product's servicing rules: accounting, payment allocation and GL mapping (overdue penalties are OVERDUE_INSTALLMENT charges)." })
export class ProductServicingInput {
  @Field({ description: 'CASH or ACCRUAL_PERIODIC.' })
  accountingRule!: string;

  @Field({ description: 'PENALTIES_FEES_INTEREST_PRINCIPAL (default), PRINCIPAL_INTEREST_PENALTIES_FEES, INTEREST_PRINCIPAL_PENALTIES_FEES or DUE_PENALTY_FEE_INTEREST_PRINCIPAL_IN_ADVANCE_PRINCIPAL_PENALTY_FEE_INTEREST.' })
  allocationStrategy!: string;

  @Field(() => [GlMappingInput], { nullable: true, description: 'GL account per posting role; roles left out use the default chart.' })
  glMapping?: GlMappingInput[] | null;
}

@InputType()
export class GlMappingInput {
  @Field({ description: 'FUND_SOURCE, LOAN_PORTFOLIO, INTEREST_RECEIVABLE, FEES_RECEIVABLE, PENALTIES_RECEIVABLE, OVERPAYMENT_LIABILITY, INCOME_FROM_INTEREST, INCOME_FROM_FEES, INCOME_FROM_PENALTIES, INCOME_FROM_RECOVERY or LOSSES_WRITTEN_OFF.' })
  role!: string;

  @Field({ description: 'Code of an existing GL account.' })
  glAccountCode!: string;
}

@InputType()
export class CobStepInput {
  @Field()
  stepName!: string;

  @Field()
  enabled!: boolean;
}

@InputType()
export class GlAccountInput {
  @Field({ description: 'Unique code, e.g. 1110.' })
  code!: string;

  @Field()
  name!: string;

  @Field({ description: 'ASSET, LIABILITY, EQUITY, INCOME or EXPENSE.' })
  type!: string;
}
