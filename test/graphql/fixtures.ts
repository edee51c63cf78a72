import type { TestApp } from '../utils';
import { unique } from '../utils';

export const REGISTER_CUSTOMER = /* GraphQL */ `
  mutation Register($input: RegisterCustomerInput!) {
    registerCustomer(input: $input) { id firstName lastName email createdAt }
  }`;

export const CREATE_PRODUCT = /* GraphQL */ `
  mutation CreateProduct($input: CreateLoanProductInput!) {
    createLoanProduct(input: $input) {
      id name currencyCode digitsAfterDecimal minPrincipal maxPrincipal minInterestRate maxInterestRate
      minNumberOfRepayments maxNumberOfRepayments repaymentEvery repaymentFrequencyType
    }
  }`;

export const APPLY = /* GraphQL */ `
  mutation Apply($input: ApplyForLoanInput!) {
    applyForLoan(input: $input) {
      id status stage principal currencyCode annualInterestRate numberOfRepayments version
      customer { id email }
      product { id name }
      workflow { workflowId runId url searchUrl }
    }
  }`;

export const WITHDRAW = /* GraphQL */ `
  mutation Withdraw($loanId: ID!, $reason: String, $clientMutationId: String) {
    withdrawApplication(loanId: $loanId, reason: $reason, clientMutationId: $clientMutationId) {
      id status stage version closedAt
      timeline { action fromStage toStage fromStatus toStatus actor actorRole reason occurredAt }
    }
  }`;

export async function createCustomer(app: TestApp): Promise<string> {
  const res = await app.gql(REGISTER_CUSTOMER, {
    input: { firstName: 'Grace', lastName: 'Hopper', email: `${unique('grace')}@example.com` },
  });
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.registerCustomer.id;
}

export function productInput(overrides: Record<string, unknown> = {}) {
  return {
    name: unique('Personal loan'),
    currencyCode: 'USD',
    minPrincipal: '500.00',
    maxPrincipal: '50000.00',
    minInterestRate: '5',
    maxInterestRate: '30',
    minNumberOfRepayments: 3,
    maxNumberOfRepayments: 60,
    repaymentEvery: 1,
    repaymentFrequencyType: 'MONTHS',
    ...overrides,
  };
}

export async function createProduct(app: TestApp, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await app.gql(CREATE_PRODUCT, { input: productInput(overrides) });
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.createLoanProduct.id;
}

export function applicationInput(customerId: string, productId: string, overrides: Record<string, unknown> = {}) {
  return {
    customerId,
    productId,
    principal: '10000.00',
    currencyCode: 'USD',
    annualInterestRate: '12.5',
    numberOfRepayments: 12,
    ...overrides,
  };
}
