import type { Position, StoredEvent } from '@peil/ledger';
import type { Projection } from './projection';
import { PROJECTIONS_META } from './read-model-names';
import type { ReadStore } from './read-store.port';

/**
 * Applies one batch of ledger events (in position order) to one projection whose checkpoint is
 * `expected`, and moves the checkpoint to the batch's last position (and hash) in the same commit — also when the
 * projection handles none of the events, so a restart does not read them again. Events at or below
 * the checkpoint were applied by an earlier batch and are skipped. Returns the new checkpoint.
 */
export async function applyBatch(
  readStore: ReadStore,
  projection: Projection,
  expected: Position | null,
  events: readonly StoredEvent[],
): Promise<Position | null> {
  const fresh = expected === null ? events : events.filter((e) => e.position > expected);
  const last = fresh[fresh.length - 1];
  if (!last) return expected;
  // The last event's hash goes with the checkpoint: a ledger cut back or rewritten behind the read model shows.
  await readStore.commit(
    projection.name,
    expected,
    last.position,
    async (tx) => {
      // The first commit from an empty checkpoint records which version of the code built the documents.
      if (expected === null) await tx.put(PROJECTIONS_META, projection.name, { version: projection.version });
      for (const event of fresh) {
        if (!projection.handles(event)) continue;
        tx.at(event.position);
        await projection.apply(event, tx);
      }
    },
    last.hash,
  );
  return last.position;
}

/**
 * Whether the stored documents of a projection can be kept: they were built by this code version.
 * A checkpoint without a version stamp (an interrupted reset) and an empty checkpoint (documents, if
 * any, are leftovers nobody accounts for) both mean rebuild; rebuilding an empty projection is cheap.
 */
export async function isCurrent(readStore: ReadStore, projection: Projection): Promise<boolean> {
  const checkpoint = await readStore.checkpoint(projection.name);
  if (checkpoint === null) return false;
  const stamp = await readStore.read((tx) => tx.get<{ version: unknown }>(PROJECTIONS_META, projection.name));
  return stamp?.version === projection.version;
}

/** The position every projection has reached (null when one of them has none). */
export function lowest(checkpoints: ReadonlyArray<Position | null>): Position | null {
  let min: Position | null = null;
  for (const [i, c] of checkpoints.entries()) {
    if (c === null) return null;
    if (i === 0 || c < min!) min = c;
  }
  return min;
}

/** Refuses a set of projections that would corrupt each other's documents or checkpoints. */
export function assertDistinct(projections: readonly Projection[]): void {
  const names = new Set<string>();
  const owners = new Map<string, string>();
  for (const p of projections) {
    if (names.has(p.name)) throw new Error(`two projections are named ${p.name}`);
    names.add(p.name);
    for (const c of p.collections) {
      if (c === PROJECTIONS_META) throw new Error(`projection ${p.name}: collection ${c} is reserved`);
      const owner = owners.get(c);
      if (owner !== undefined) throw new Error(`projections ${owner} and ${p.name} both own collection ${c}`);
      owners.set(c, p.name);
    }
  }
}
