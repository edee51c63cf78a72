import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122184345_initial } from './Migration20261122184345_initial';
import { Migration20261122192528_auth } from './Migration20261122192528_auth';
import { Migration20261122193223_origination } from './Migration20261122193223_origination';
import { Migration20261123100000_servicing } from './Migration20261123100000_servicing';
import { Migration20261123093000_kyc_queue } from './Migration20261123093000_kyc_queue';
import { Migration20261123101500_events } from './Migration20261123101500_events';
import { Migration20261123103000_payment_proof } from './Migration20261123103000_payment_proof';
import { Migration20261123110000_reschedule_request } from './Migration20261123110000_reschedule_request';
import { Migration20261202125820_request_fingerprint } from './Migration20261202125820_request_fingerprint';
import { Migration20261202161257_product_settings } from './Migration20261202161257_product_settings';
import { Migration20261202161915_security } from './Migration20261202161915_security';
import { Migration20261202164719_pipeline_dashboard } from './Migration20261202164719_pipeline_dashboard';
import { Migration20261203061800_fee_accrual } from './Migration20261203061800_fee_accrual';
import { Migration20261203063000_overdue_charges } from './Migration20261203063000_overdue_charges';
import { Migration20261203064000_installment_charges } from './Migration20261203064000_installment_charges';
import { Migration20261203065000_payment_types } from './Migration20261203065000_payment_types';
import { Migration20261203120000_applied_overdue_charges } from './Migration20261203120000_applied_overdue_charges';
import { Migration20261203150000_cob_fillfactor } from './Migration20261203150000_cob_fillfactor';
import { Migration20261204120000_cob_chunk_lock } from './Migration20261204120000_cob_chunk_lock';
import { Migration20261204130000_redundant_indexes } from './Migration20261204130000_redundant_indexes';
import { Migration20261206120000_journal_reference_checks } from './Migration20261206120000_journal_reference_checks';

/** Every committed migration, in order. After `npm run migration:create`, add the new class here. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122184345_initial', class: Migration20261122184345_initial },
  { name: 'Migration20261122192528_auth', class: Migration20261122192528_auth },
  { name: 'Migration20261122193223_origination', class: Migration20261122193223_origination },
  { name: 'Migration20261123100000_servicing', class: Migration20261123100000_servicing },
  { name: 'Migration20261123093000_kyc_queue', class: Migration20261123093000_kyc_queue },
  { name: 'Migration20261123101500_events', class: Migration20261123101500_events },
  { name: 'Migration20261123103000_payment_proof', class: Migration20261123103000_payment_proof },
  { name: 'Migration20261123110000_reschedule_request', class: Migration20261123110000_reschedule_request },
  { name: 'Migration20261202125820_request_fingerprint', class: Migration20261202125820_request_fingerprint },
  { name: 'Migration20261202161257_product_settings', class: Migration20261202161257_product_settings },
  { name: 'Migration20261202161915_security', class: Migration20261202161915_security },
  { name: 'Migration20261202164719_pipeline_dashboard', class: Migration20261202164719_pipeline_dashboard },
  { name: 'Migration20261203061800_fee_accrual', class: Migration20261203061800_fee_accrual },
  { name: 'Migration20261203063000_overdue_charges', class: Migration20261203063000_overdue_charges },
  { name: 'Migration20261203064000_installment_charges', class: Migration20261203064000_installment_charges },
  { name: 'Migration20261203065000_payment_types', class: Migration20261203065000_payment_types },
  { name: 'Migration20261203120000_applied_overdue_charges', class: Migration20261203120000_applied_overdue_charges },
  { name: 'Migration20261203150000_cob_fillfactor', class: Migration20261203150000_cob_fillfactor },
  { name: 'Migration20261204120000_cob_chunk_lock', class: Migration20261204120000_cob_chunk_lock },
  { name: 'Migration20261204130000_redundant_indexes', class: Migration20261204130000_redundant_indexes },
  { name: 'Migration20261206120000_journal_reference_checks', class: Migration20261206120000_journal_reference_checks },
];
