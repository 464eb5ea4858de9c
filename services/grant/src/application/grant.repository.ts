import { Inject, Injectable } from '@nestjs/common';
import { grantStreamId, upcast } from '@peil/contracts';
import type { EventStore, ExpectedRevision, StoredEvent } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform';
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
 * up to the revision returned, never a read model. A load that races another only ever sees the
 * state move forward; a decision made on a state newer than its expected revision fails the append
 * and is decided again, so nothing is overwritten.
 */
@Injectable()
export class GrantRepository {
  private readonly folded = new Map<string, { grant: Grant; revision: number }>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load(grantId: string): Promise<{ grant: Grant; expectedRevision: ExpectedRevision }> {
    const before = this.folded.get(grantId);
    const events = await this.store.readStream(grantStreamId(grantId), { fromRevision: before ? before.revision + 1 : 0 });
    const entry = this.folded.get(grantId) ?? { grant: initialState(), revision: -1 };
    for (const e of events) {
      if (e.revision <= entry.revision) continue; // folded meanwhile by a concurrent load
      entry.grant = evolve(entry.grant, asGrantEvent(e));
      entry.revision = e.revision;
    }
    if (entry.revision >= 0) this.folded.set(grantId, entry);
    return { grant: entry.grant, expectedRevision: entry.revision < 0 ? 'no_stream' : entry.revision };
  }
}
