import { upcast } from '@peil/contracts';
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
