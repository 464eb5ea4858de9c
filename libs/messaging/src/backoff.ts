export interface RetryPolicy {
  /** Delay after the first failure. */
  initialMs: number;
  /** Ceiling: a long outage is retried at this pace, forever. */
  maxMs: number;
}

/**
 * Delay before retry number `failures` (1 = after the first failure): initialMs, 2×, 4×, … capped
 * at maxMs. No jitter: there is one relay per ledger, so no herd of clients to spread out, and a
 * deterministic schedule is what an operator reading the log expects.
 */
export function backoffDelay(failures: number, policy: RetryPolicy): number {
  if (failures < 1) return 0;
  // 2 ** n is Infinity past n = 1023; clamping the exponent keeps the arithmetic finite for any outage length.
  const exponent = Math.min(failures - 1, 30);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
}

/** A sleep that stop() can cut short. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const timerSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
