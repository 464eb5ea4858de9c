import { z } from 'zod';
import { loadConfig } from '@peil/config';

const count = (fallback: number, min: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(fallback) : v.trim()))
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number.isSafeInteger(Number(v)), { message: `must be a whole number, at least ${min}` })
    .transform(Number);

const schema = z.object({
  PEIL_ASOF_SNAPSHOT_EVERY: count(50_000, 0),
  PEIL_ASOF_SNAPSHOTS_KEPT: count(40, 1),
  PEIL_ASOF_CACHE_MB: count(64, 0),
});

export interface AsOfSnapshotsConfig {
  asOfSnapshotEvery: number;
  asOfSnapshotsKept: number;
  asOfCacheBytes: number;
}

/**
 * Snapshots for reports "as of" a position in the reporting service (decision 0020): one every
 * PEIL_ASOF_SNAPSHOT_EVERY events (default 50,000; 0 replays from zero every time), at most
 * PEIL_ASOF_SNAPSHOTS_KEPT per projection (default 40). The CLI never takes snapshots. Reports as of a
 * position read from the document history are kept rendered, up to PEIL_ASOF_CACHE_MB megabytes
 * (default 64; 0 keeps none).
 */
export function loadAsOfSnapshotsConfig(env: NodeJS.ProcessEnv = process.env): AsOfSnapshotsConfig {
  const config = loadConfig(schema, env);
  return { asOfSnapshotEvery: config.PEIL_ASOF_SNAPSHOT_EVERY, asOfSnapshotsKept: config.PEIL_ASOF_SNAPSHOTS_KEPT, asOfCacheBytes: config.PEIL_ASOF_CACHE_MB * 2 ** 20 };
}
