import {
  upcast,
  type AssessmentEvent,
  type AssetTransferEvent,
  type EnrolmentEvent,
  type EvaluationEvent,
  type GrantEvent,
  type TrainingEvent,
} from '@peil/contracts';
import type { StoredEvent } from '@peil/ledger';
import type { Projection } from '@peil/projections';

/**
 * The projection reading every event in its current schema: an event recorded under an older
 * version is upcast before `apply` sees it (the ledger itself is never rewritten). Same name and
 * version, so checkpoints and stored documents are the projection's own.
 */
export const upcasting = (projection: Projection): Projection => ({
  name: projection.name,
  version: projection.version,
  collections: projection.collections,
  handles: (event) => projection.handles(event),
  apply: (event, tx) => projection.apply(upcast(event), tx),
});

/** The events reports read, as their contracts type them. */
type ContractEvent = EnrolmentEvent | AssessmentEvent | AssetTransferEvent | TrainingEvent | EvaluationEvent | GrantEvent;
export type ReportedEvent<T extends ContractEvent['type'] = ContractEvent['type']> = StoredEvent & Extract<ContractEvent, { type: T }>;

/**
 * A projection's event types, declared once: `handles` answers from them and `is` gives `apply`
 * the event typed by its contract (already upcast by `upcasting`), so a report reads `e.data`
 * through the schema's own field names and types. Personal fields are never read by reports.
 */
export function reportedTypes<T extends ContractEvent['type']>(...types: T[]) {
  const set = new Set<string>(types);
  return {
    handles: (e: StoredEvent): boolean => set.has(e.type),
    is: (e: StoredEvent): e is ReportedEvent<T> => set.has(e.type),
  };
}
