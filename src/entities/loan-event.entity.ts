import { OptionalProps, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { LOAN_STAGES, LOAN_STATUSES, type LoanStage, type LoanStatus } from '../domain/loan-lifecycle';
import { Loan } from './loan.entity';

/**
 * One row per thing that happened to a loan: its timeline and audit trail. `requestId` makes the
 * writing activity idempotent (a retried activity finds its row instead of adding a second one).
 */
@Entity({ tableName: 'loan_event' })
@Unique({ properties: ['loan', 'requestId'] })
@Index({ properties: ['loan', 'occurredAt'] })
// The pipeline dashboard's time-per-stage lookup (when did this loan enter the stage it left?) as an
// index-only probe over stage changes (Migration20261202164719_pipeline_dashboard).
@Index({ name: 'loan_event_stage_entered_index', expression: `create index "loan_event_stage_entered_index" on "loan_event" ("loan_id", "to_stage", "occurred_at", "id") where "from_stage" is distinct from "to_stage"` })
export class LoanEvent {
  [OptionalProps]?: 'occurredAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Loan, { ref: true, deleteRule: 'cascade' })
  loan!: Ref<Loan>;

  @Property({ type: 'string', length: 100 })
  requestId!: string;

  @Property({ type: 'string', length: 64 })
  action!: string;

  @Enum({ items: () => [...LOAN_STAGES], type: 'string', nullable: true })
  fromStage?: LoanStage | null;

  @Enum({ items: () => [...LOAN_STAGES], type: 'string' })
  toStage!: LoanStage;

  @Enum({ items: () => [...LOAN_STATUSES], type: 'string', nullable: true })
  fromStatus?: LoanStatus | null;

  @Enum({ items: () => [...LOAN_STATUSES], type: 'string' })
  toStatus!: LoanStatus;

  /** Who did it: a user id, or `system`. */
  @Property({ type: 'string', length: 100 })
  actor!: string;

  @Property({ type: 'string', length: 32 })
  actorRole!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  reason?: string | null;

  /** What the action carried (offer terms, checklist, risk result...), for the audit trail. */
  @Property({ type: 'json', nullable: true })
  data?: Record<string, unknown> | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  occurredAt: Date = new Date();
}
