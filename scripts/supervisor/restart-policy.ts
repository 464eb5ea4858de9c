import { backoffDelay } from '@peil/messaging';

export interface RestartPolicy {
  /** Crashes a process may have within the window and still be restarted; one more and it is given up. */
  limit: number;
  /** How far back crashes count: a process that stays up this long starts again from a clean record. */
  windowMs: number;
  /** Delay before the first restart; doubled per crash still in the window, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export type CrashDecision =
  | { kind: 'restart'; delayMs: number; crashesInWindow: number }
  | { kind: 'give-up'; crashesInWindow: number };

/**
 * What to do after a process crashed at `now`, given the times of its earlier crashes. Pure, so
 * the schedule can be checked without processes or clocks: back-off grows with the crashes still
 * inside the window, and more than `limit` of them means a crash loop that a restart will not fix
 * (a corrupt file, a bad deployment) — better one service visibly given up than a machine busy
 * restarting it forever.
 */
export function afterCrash(earlier: readonly number[], now: number, policy: RestartPolicy): { decision: CrashDecision; crashes: number[] } {
  const crashes = [...earlier.filter((at) => now - at < policy.windowMs), now];
  const decision: CrashDecision =
    crashes.length > policy.limit
      ? { kind: 'give-up', crashesInWindow: crashes.length }
      : { kind: 'restart', delayMs: backoffDelay(crashes.length, { initialMs: policy.initialDelayMs, maxMs: policy.maxDelayMs }), crashesInWindow: crashes.length };
  return { decision, crashes };
}
