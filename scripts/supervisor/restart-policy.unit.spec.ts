import fc from 'fast-check';
import { afterCrash, type RestartPolicy } from './restart-policy';

const policy: RestartPolicy = { limit: 3, windowMs: 60_000, initialDelayMs: 500, maxDelayMs: 4_000 };

/** Feeds crash times one by one, as the supervisor does. */
function run(times: number[], p = policy) {
  let crashes: number[] = [];
  return times.map((now) => {
    const next = afterCrash(crashes, now, p);
    crashes = next.crashes;
    return next.decision;
  });
}

describe('afterCrash', () => {
  it('restarts with a doubling delay, then gives up on the crash past the limit within the window', () => {
    expect(run([0, 1_000, 3_000, 7_000])).toEqual([
      { kind: 'restart', delayMs: 500, crashesInWindow: 1 },
      { kind: 'restart', delayMs: 1_000, crashesInWindow: 2 },
      { kind: 'restart', delayMs: 2_000, crashesInWindow: 3 },
      { kind: 'give-up', crashesInWindow: 4 },
    ]);
  });

  it('forgets crashes older than the window: a process that stayed up starts from the first delay again', () => {
    expect(run([0, 1_000, 3_000, 62_000])).toEqual([
      { kind: 'restart', delayMs: 500, crashesInWindow: 1 },
      { kind: 'restart', delayMs: 1_000, crashesInWindow: 2 },
      { kind: 'restart', delayMs: 2_000, crashesInWindow: 3 },
      { kind: 'restart', delayMs: 1_000, crashesInWindow: 2 },
    ]);
    expect(run([0, 60_000])[1]).toEqual({ kind: 'restart', delayMs: 500, crashesInWindow: 1 });
  });

  it('for any crash history: gives up exactly when more than limit crashes fall in the window, and delays stay within bounds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30_000 }), { minLength: 1, maxLength: 30 }),
        fc.record({ limit: fc.integer({ min: 1, max: 10 }), windowMs: fc.integer({ min: 1_000, max: 120_000 }), initialDelayMs: fc.integer({ min: 1, max: 1_000 }), maxDelayMs: fc.integer({ min: 1_000, max: 60_000 }) }),
        (gaps, p) => {
          const times = gaps.reduce<number[]>((acc, gap) => [...acc, (acc.at(-1) ?? 0) + gap], []);
          run(times, p).forEach((decision, i) => {
            const inWindow = times.slice(0, i + 1).filter((t) => times[i]! - t < p.windowMs).length;
            expect(decision.crashesInWindow).toBe(inWindow);
            expect(decision.kind).toBe(inWindow > p.limit ? 'give-up' : 'restart');
            if (decision.kind === 'restart') {
              expect(decision.delayMs).toBeGreaterThanOrEqual(p.initialDelayMs);
              expect(decision.delayMs).toBeLessThanOrEqual(Math.max(p.maxDelayMs, p.initialDelayMs));
            }
          });
        },
      ),
      { seed: 20261130, numRuns: 300 },
    );
  });
});
