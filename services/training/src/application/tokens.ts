export const GRANT_CLIENT = Symbol('GrantClient');
export const RECOVERY_INTERVAL_MS = Symbol('RecoveryIntervalMs');
