export const RECOVERY_INTERVAL_MS = Symbol('RecoveryIntervalMs');
