import type { EventStore, Position } from '@peil/ledger';
import type { IntegrityFault } from '@peil/platform/integrity';
import type { Projection, ReadStore } from '@peil/projections';

/** The integrity source of the reporting service's read models. */
export const READ_MODELS = 'read-models';

export type ReadModelFault = Omit<IntegrityFault, 'source'>;

/** A report that would state figures known to be wrong: answered 503 with this code instead. */
export class ReportRefusedError extends Error {
  constructor(readonly code: 'read_model_integrity_fault' | 'ledger_integrity_fault', message: string) {
    super(message);
  }
}

/**
 * Whether the read models still stand on the ledger they were built from: each checkpoint must be at
 * or below the ledger's head, and the ledger's event at that position must have the hash the
 * projection saw there. A checkpoint ahead of the head means the ledger was cut back (the read model
 * would keep stating figures for events that are gone); another hash there means history was
 * rewritten below the read model. Checkpoints from before hashes were kept are checked for the head
 * only. Marks are read before the head: a live batch can only move a checkpoint to a position the
 * ledger already had.
 */
export async function readModelFault(store: EventStore, readStore: ReadStore, projections: readonly Projection[]): Promise<ReadModelFault | undefined> {
  const marks = await Promise.all(projections.map(async (p) => ({ name: p.name, mark: await readStore.checkpointMark(p.name) })));
  const head = await store.headPosition();
  const eventHashes = new Map<Position, string | null>();
  for (const { name, mark } of marks) {
    if (!mark) continue;
    if (head === null || mark.position > head) {
      return {
        position: mark.position,
        reason: 'checkpoint_ahead_of_ledger',
        detail: `read model ${name} is at position ${mark.position}, but the ledger's head is ${head ?? 'empty'}: events it counted are gone`,
      };
    }
    if (mark.hash === null) continue;
    if (!eventHashes.has(mark.position)) {
      const [event] = await store.readAll(mark.position - 1, 1);
      eventHashes.set(mark.position, event && event.position === mark.position ? event.hash : null);
    }
    const found = eventHashes.get(mark.position)!;
    if (found !== mark.hash) {
      return {
        position: mark.position,
        reason: 'checkpoint_hash_mismatch',
        detail: `read model ${name} was built on event ${mark.hash} at position ${mark.position}; the ledger holds ${found ?? 'no event'} there`,
      };
    }
  }
  return undefined;
}

/**
 * Decision 0041: a live report is refused while any integrity fault is held (its figures rest on the
 * read models, built from the whole ledger); a report as of a position still answers when every
 * fault lies beyond that position — it is replayed from ledger events that verified.
 */
export function refusal(faults: readonly IntegrityFault[], asOf?: Position | null): ReportRefusedError | undefined {
  const blocking = asOf === undefined ? faults : faults.filter((f) => f.position === null || (asOf !== null && f.position <= asOf));
  const fault = blocking.find((f) => f.source === READ_MODELS) ?? blocking[0];
  if (!fault) return undefined;
  const where = fault.position === null ? '' : ` at position ${fault.position}`;
  const code = fault.source === READ_MODELS ? 'read_model_integrity_fault' : 'ledger_integrity_fault';
  const scope = asOf === undefined ? 'current figures are not served' : `no report as of ${asOf ?? 'the empty ledger'}`;
  return new ReportRefusedError(code, `${scope}: ${fault.reason}${where} (${fault.source}): ${fault.detail}`);
}
