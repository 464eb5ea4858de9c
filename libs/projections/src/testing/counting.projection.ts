import type { NewEvent, StoredEvent } from '@peil/ledger';
import { randomUUID } from 'node:crypto';
import type { Projection } from '../projection';
import type { ReadTx } from '../read-store.port';

/** What the counting projection keeps: per event type, and for the whole ledger. */
export interface CountByType {
  [key: string]: unknown;
  count: number;
}
export interface Totals {
  [key: string]: unknown;
  events: number;
  sumN: number;
  lastPosition: number;
  /** Events applied at or below a position already applied: must stay 0. */
  outOfOrder: number;
}

/**
 * A test projection that notices double-counting and gaps: it counts events per type, sums `data.n`,
 * and records every event that arrives at or below the last position it applied. Events of type
 * `Ignored` are not handled (they still move the checkpoint). Used by the unit specs and the crash worker.
 */
export function countingProjection(
  name = 'counting',
  version = 1,
  options: { failAt?: number; onlyType?: string; recordEach?: boolean } = {},
): Projection {
  const byType = `${name}_by_type`;
  const totals = `${name}_totals`;
  // With recordEach, one more document per event: batches write many rows, so a kill -9 is likely
  // to land inside a commit, and a half-applied batch would show as seen ≠ totals.events.
  const seen = `${name}_seen`;
  return {
    name,
    version,
    collections: options.recordEach ? [byType, totals, seen] : [byType, totals],
    handles: (e) => e.type !== 'Ignored' && (options.onlyType === undefined || e.type === options.onlyType),
    async apply(e: StoredEvent, tx: ReadTx): Promise<void> {
      if (e.position === options.failAt) throw new Error(`projection fails at position ${e.position}`);
      const count = (await tx.get<CountByType>(byType, e.type))?.count ?? 0;
      await tx.put(byType, e.type, { count: count + 1 });
      const t = (await tx.get<Totals>(totals, 'all')) ?? { events: 0, sumN: 0, lastPosition: 0, outOfOrder: 0 };
      await tx.put(totals, 'all', {
        events: t.events + 1,
        sumN: t.sumN + (typeof e.data.n === 'number' ? e.data.n : 0),
        lastPosition: e.position,
        outOfOrder: t.outOfOrder + (e.position <= t.lastPosition ? 1 : 0),
      });
      if (options.recordEach) await tx.put(seen, String(e.position).padStart(12, '0'), { type: e.type });
    },
  };
}

/** The projection's documents, for comparing with what the ledger says they must be. */
export async function readCounts(read: <T>(fn: (tx: ReadTx) => Promise<T>) => Promise<T>, name = 'counting') {
  return read(async (tx) => ({
    byType: Object.fromEntries((await tx.all<CountByType>(`${name}_by_type`)).map((e) => [e.id, e.doc.count])),
    totals: (await tx.get<Totals>(`${name}_totals`, 'all')) ?? null,
  }));
}

/** A ledger event as a service would append it, with `data.n` for the sums. */
export function testEvent(type: string, n: number): NewEvent {
  const data = { n };
  return {
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    occurredAt: '2026-01-15T09:30:00.000Z',
    recordedAt: '2026-01-15T09:30:01.000Z',
    source: 'projections-spec',
    actor: 'tester',
    correlationId: randomUUID(),
    causationId: null,
    data,
    contentDigest: `d:${JSON.stringify(data)}`,
  };
}
