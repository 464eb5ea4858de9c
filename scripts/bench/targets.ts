/**
 * Targets (embedded profile, 2-core machine, measured by `npm run bench`).
 * The targets the programme set for the embedded profile.
 */
export const TARGETS = {
  /** Raw store append in batches: ≥ 100,000 events/s (~1 KB events). */
  storeAppendBatched: 100_000,
  /** Verification: ≥ 300,000 events/s. */
  verify: 300_000,
  /** HTTP ingest in batches of 1,000: ≥ 20,000 events/s. */
  httpIngestBatched: 20_000,
  /** HTTP single-event requests: ≥ 2,000 requests/s at p99 ≤ 20 ms. */
  httpIngestSingle: 2_000,
  httpIngestSingleP99Ms: 20,
  /** Projection rebuild: ≥ 100,000 events/s. */
  projectionRebuild: 100_000,
  /** Report reads at 1,000,000 events: p99 ≤ 50 ms. */
  reportReadP99Ms: 50,
  /** One more event, and one read, on a stream of 50,000 events: ≤ 20 ms each (p50 and p99). */
  longStreamOpMs: 20,
  /** Signed checkpoint, inclusion and consistency proof at 1,000,000 events: ≤ 10 ms. */
  tlogProofMs: 10,
  /** Offline audit-pack verification: ≥ 100,000 events/s. */
  verifyPack: 100_000,
} as const;
