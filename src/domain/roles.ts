/** Who may act. Staff roles act on any loan; a CUSTOMER only on their own data. */
export const ROLES = ['CUSTOMER', 'LOAN_OFFICER', 'KYC_OFFICER', 'RISK_MANAGER', 'MANAGER', 'CREDIT_COMMITTEE', 'ADMIN', 'SYSTEM'] as const;
export type Role = (typeof ROLES)[number];

export const STAFF_ROLES: readonly Role[] = ['LOAN_OFFICER', 'KYC_OFFICER', 'RISK_MANAGER', 'MANAGER', 'CREDIT_COMMITTEE', 'ADMIN'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isStaff(roles: readonly string[]): boolean {
  return roles.some((r) => (STAFF_ROLES as readonly string[]).includes(r));
}
