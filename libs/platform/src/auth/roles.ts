/** Who may do what. */
export const ROLES = ['ngo', 'finance', 'supervisor', 'auditor', 'donor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * `system` is the role of one service calling another (the asset-transfer service recording an
 * expenditure with the grant service). No API key can carry it: the gateway strips x-peil-* headers
 * and only ever forwards the role of the key presented.
 */
export type CallerRole = Role | 'system';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isCallerRole(value: unknown): value is CallerRole {
  return value === 'system' || isRole(value);
}

/** Roles that may see a participant's personal data in clear. */
export const PERSONAL_DATA_ROLES: readonly Role[] = ['ngo', 'supervisor'];

/** Headers the gateway sets on every request it forwards; services trust them only with a valid token. */
export const GATEWAY_HEADERS = {
  token: 'x-peil-gateway-token',
  role: 'x-peil-role',
  principal: 'x-peil-principal',
  /** Set by a service calling another for a submitter's follow-up (the principal to record); trusted only with role `system`. */
  onBehalfOf: 'x-peil-on-behalf-of',
  requestId: 'x-request-id',
} as const;
