import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes every loan workflow carries, so ops can find loans in the Temporal UI. */
export const LoanIdKey = defineSearchAttributeKey('LoanId', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const ProductIdKey = defineSearchAttributeKey('ProductId', SearchAttributeType.KEYWORD);
export const LoanStatusKey = defineSearchAttributeKey('LoanStatus', SearchAttributeType.KEYWORD);
export const LoanStageKey = defineSearchAttributeKey('LoanStage', SearchAttributeType.KEYWORD);

/** Registered on the dev server at start (and added when an older data file lacks them). */
export const SEARCH_ATTRIBUTES = [LoanIdKey, CustomerIdKey, ProductIdKey, LoanStatusKey, LoanStageKey];
