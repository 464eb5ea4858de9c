import type { Position, StoredEvent } from '@peil/ledger';
import { applyBatch, assertDistinct, lowest } from './apply-batch';
import type { Projection } from './projection';
import type { ReadStore } from './read-store.port';

export interface ReplayOptions {
  /** Events after this position are not applied (the rest of the input is not read). */
  untilPosition?: Position;
  /** Events per commit. Default 2,000. */
  batchSize?: number;
}

/**
 * Applies events, in position order, to projections in a read store — typically a fresh
 * MemoryReadStore, to compute a report "as of" a past position with the very code the projector runs.
 * Batches commit with checkpoints exactly as the Projector's do (events at or below a projection's
 * checkpoint are skipped), so replaying into a store that already holds some of them is still exact.
 * Returns the position every projection has reached.
 */
export async function replay(
  events: Iterable<StoredEvent> | AsyncIterable<StoredEvent>,
  projections: readonly Projection[],
  readStore: ReadStore,
  options: ReplayOptions = {},
): Promise<Position | null> {
  assertDistinct(projections);
  const batchSize = options.batchSize ?? 2000;
  const checkpoints = await Promise.all(projections.map((p) => readStore.checkpoint(p.name)));
  let batch: StoredEvent[] = [];
  let previous: Position | null = null;
  const flush = async () => {
    for (const [i, projection] of projections.entries()) {
      checkpoints[i] = await applyBatch(readStore, projection, checkpoints[i] ?? null, batch);
    }
    batch = [];
  };
  for await (const event of events) {
    if (options.untilPosition !== undefined && event.position > options.untilPosition) break;
    // Checkpoints assume increasing positions; out-of-order input would silently drop events.
    if (previous !== null && event.position <= previous) {
      throw new Error(`replay: event at position ${event.position} follows position ${previous}`);
    }
    previous = event.position;
    batch.push(event);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  return lowest(checkpoints);
}
