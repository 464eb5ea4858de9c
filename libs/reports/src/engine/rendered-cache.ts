import type { Rendered } from '../reports/catalogue';

/**
 * Rendered reports "as of" a position, least recently used dropped first once their bodies pass
 * `maxBytes` (UTF-8). A report as of a position never changes, so there is nothing to expire: the
 * engine asks only after the read models were found standing on this ledger, and a process whose
 * read models are rebuilt starts with an empty cache. What it saves is the render: a 2.5 MB IATI
 * file or a 1.5 MB asset register takes 100–300 ms to build here, and a publisher pinned to a signed
 * checkpoint (`asOf=size:<n>`) fetches the same bytes again and again.
 */
export class RenderedCache {
  private readonly entries = new Map<string, { rendered: Rendered; bytes: number }>();
  private total = 0;

  constructor(private readonly maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError('maxBytes must be a whole number of bytes, 0 or more');
  }

  get(key: string): Rendered | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Moved to the end: the Map's order is the order of use.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.rendered;
  }

  set(key: string, rendered: Rendered): void {
    const bytes = Buffer.byteLength(rendered.body) + Buffer.byteLength(key);
    if (bytes > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.total -= old.bytes;
    }
    this.entries.set(key, { rendered, bytes });
    this.total += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.bytes;
    }
  }

  /** Bytes held (for tests and metrics). */
  get size(): number {
    return this.total;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}
