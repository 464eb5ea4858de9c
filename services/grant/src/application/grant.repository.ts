import { Inject, Injectable } from '@nestjs/common';
import { GRANT_EVENT_SCHEMAS, grantStreamId, type GrantEvent } from '@peil/contracts';
import type { EventStore, ExpectedRevision } from '@peil/ledger';
import { EVENT_STORE, StreamStateCache, typedFold } from '@peil/platform';
import { evolve, initialState, type Grant } from '../domain/grant.decider';

/**
 * Loads a grant by folding its stream; the revision is what the next append expects.
 *
 * A grant stream holds every commitment and expenditure of the programme, so the fold is kept and
 * only the events after it are read on each load: the state is always the fold of the ledger stream
 * up to the revision returned, never a read model. A decision made on a state newer than its
 * expected revision fails the append and is decided again, so nothing is overwritten.
 */
@Injectable()
export class GrantRepository {
  private readonly grants: StreamStateCache<Grant>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    // typedFold upcasts first: an event recorded under an older schema version folds in today's shape.
    this.grants = new StreamStateCache(store, typedFold<Grant, GrantEvent>(GRANT_EVENT_SCHEMAS, initialState, evolve));
  }

  async load(grantId: string): Promise<{ grant: Grant; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.grants.aggregateStream(grantStreamId(grantId));
    return { grant: state, expectedRevision };
  }
}
