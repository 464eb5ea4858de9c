/**
 * Token buckets keyed by a string (an API key id, a client address): `limit` requests per minute,
 * refilled continuously, so a client may burst up to `limit` and then goes at limit/60 per second.
 * Memory is bounded: buckets that have refilled completely are dropped on a periodic sweep (a full
 * bucket is the same as no bucket).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;
  private lastSweep = 0;

  constructor(
    readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = limitPerMinute / 60_000;
  }

  /** Takes one token: `null` when allowed, else the seconds to wait before one is available. */
  take(key: string): number | null {
    if (this.limitPerMinute <= 0) return null; // 0: unlimited
    const now = this.now();
    this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.limitPerMinute, at: now };
    bucket.tokens = Math.min(this.limitPerMinute, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  /** Whether `key` would be refused now, without taking a token. */
  exhausted(key: string): number | null {
    if (this.limitPerMinute <= 0) return null;
    const bucket = this.buckets.get(key);
    if (!bucket) return null;
    const tokens = Math.min(this.limitPerMinute, bucket.tokens + (this.now() - bucket.at) * this.perMs);
    return tokens >= 1 ? null : Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000));
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) if (b.tokens + (now - b.at) * this.perMs >= this.limitPerMinute) this.buckets.delete(key);
  }
}
