import { backoffDelay, timerSleep } from './backoff';

describe('back-off schedule', () => {
  const policy = { initialMs: 100, maxMs: 5_000 };

  it('doubles from initialMs after each failure, then stays at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, policy))).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it('stays finite and capped however long the outage lasts', () => {
    expect(backoffDelay(10_000, policy)).toBe(5_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, policy)).toBe(5_000);
  });

  it('waits nothing before the first attempt', () => {
    expect(backoffDelay(0, policy)).toBe(0);
  });

  it('sleeps are cut short by stop (abort)', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const sleeping = timerSleep(10_000, abort.signal);
    abort.abort();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
