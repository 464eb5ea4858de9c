import { createHash } from 'node:crypto';

/**
 * A seeded pseudo-random generator (sfc32, seeded from SHA-256 of the seed text): the same seed gives
 * the same pilot on every machine and Node version, which Math.random never would.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    const h = createHash('sha256').update(seed).digest();
    [this.a, this.b, this.c, this.d] = [h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12)];
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One item, with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    const total = items.reduce((s, i) => s + weight(i), 0);
    let r = this.next() * total;
    for (const item of items) {
      r -= weight(item);
      if (r < 0) return item;
    }
    return items[items.length - 1]!;
  }

  /** Roughly normal (sum of three uniforms), centred on `mean`, clamped to [min, max]. */
  around(mean: number, spread: number, min: number, max: number): number {
    const z = (this.next() + this.next() + this.next() - 1.5) / 1.5;
    return Math.min(max, Math.max(min, Math.round(mean + z * spread)));
  }
}

/**
 * A UUID (version 5 layout) derived from the seed and what the event is about: running the demo again
 * submits the very same event ids, which the ledger answers `duplicate`.
 */
export function eventIdFor(seed: string, entity: string): string {
  const h = createHash('sha256').update(`peil-demo/${seed}/${entity}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
