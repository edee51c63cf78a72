import { Customer } from './customer.entity';
import { Loan } from './loan.entity';
import { LoanEvent } from './loan-event.entity';
import { LoanProduct } from './loan-product.entity';
import { RefreshToken } from './refresh-token.entity';
import { RiskRuleSet } from './risk-rule-set.entity';
import { Document } from './document.entity';
import { LoanInstallment, LoanTransaction } from './loan-account.entity';
import { User } from './user.entity';
import { OutboxEvent } from './outbox-event.entity';
import { EventTypeSetting } from './event-type-setting.entity';
import { Notification, NotificationDelivery, NotificationPreference, NotificationTemplate } from './notification.entity';
import { GlAccount, JournalEntry } from './ledger.entity';
import { BusinessDate, CobChunkLock, CobRun, CobStep, DelinquencyRangeRow, LoanAccountLock } from './cob.entity';
import { PaymentProof } from './payment-proof.entity';
import { RescheduleRequest } from './reschedule-request.entity';
import { SecurityEvent } from './security-event.entity';
import { RateLimitEntry } from './rate-limit.entity';
import { LoanProductSettingsVersion } from './loan-product-settings-version.entity';
import { Charge, LoanCharge, LoanProductCharge } from './charge.entity';
import { Holiday, WorkingDays } from './calendar.entity';
import { PaymentType } from './payment-type.entity';

export { BusinessDate, CobChunkLock, CobRun, CobStep, DelinquencyRangeRow, GlAccount, JournalEntry, LoanAccountLock };
export { Customer, Document, Loan, LoanEvent, LoanInstallment, LoanProduct, LoanTransaction, RefreshToken, RiskRuleSet, User };
export { EventTypeSetting, Notification, NotificationDelivery, NotificationPreference, NotificationTemplate, OutboxEvent };
export { DecimalType } from './decimal.type';
export { PaymentProof, PaymentType, RescheduleRequest };
export { RateLimitEntry, SecurityEvent };
export { Charge, Holiday, LoanCharge, LoanProductCharge, LoanProductSettingsVersion, WorkingDays };

export const ENTITIES = [Customer, LoanProduct, Loan, LoanEvent, User, RefreshToken, RiskRuleSet, Document, LoanInstallment, LoanTransaction,
  GlAccount, JournalEntry, BusinessDate, CobStep, CobRun, LoanAccountLock, CobChunkLock, DelinquencyRangeRow,
  OutboxEvent, EventTypeSetting, Notification, NotificationDelivery, NotificationPreference, NotificationTemplate,
  PaymentProof, RescheduleRequest, SecurityEvent, RateLimitEntry,
  LoanProductSettingsVersion, Charge, LoanProductCharge, LoanCharge, Holiday, WorkingDays, PaymentType];
