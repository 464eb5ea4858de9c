import { Inject, Injectable } from '@nestjs/common';
import { grantStreamId, upcast } from '@peil/contracts';
import type { EventStore, ExpectedRevision, StoredEvent } from '@peil/ledger';
import { EVENT_STORE, StreamStateCache } from '@peil/platform';
import { evolve, initialState, type Grant, type RecordedGrantEvent } from '../domain/grant.decider';

// Upcast first: an event recorded under an older schema version folds in today's shape.
const asGrantEvent = (stored: StoredEvent): RecordedGrantEvent => {
  const e = upcast(stored);
  return { type: e.type, data: e.data, occurredAt: e.occurredAt, eventId: e.eventId, position: e.position } as unknown as RecordedGrantEvent;
};

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
    this.grants = new StreamStateCache(store, { initialState, evolve: (grant, e) => evolve(grant, asGrantEvent(e)) });
  }

  async load(grantId: string): Promise<{ grant: Grant; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.grants.aggregateStream(grantStreamId(grantId));
    return { grant: state, expectedRevision };
  }
}
