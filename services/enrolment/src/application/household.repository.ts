import { Inject, Injectable } from '@nestjs/common';
import { householdStreamId, type EnrolmentEvent } from '@peil/contracts';
import type { EventStore, ExpectedRevision } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform';
import { evolve, initialState, type Household } from '../domain/household.decider';

/** Loads a household by folding its stream; the revision is what the next append expects. */
@Injectable()
export class HouseholdRepository {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load(householdId: string): Promise<{ household: Household; expectedRevision: ExpectedRevision }> {
    const events = await this.store.readStream(householdStreamId(householdId));
    let household = initialState();
    for (const e of events) {
      household = evolve(household, { type: e.type, data: e.data, occurredAt: e.occurredAt } as unknown as EnrolmentEvent & { occurredAt: string });
    }
    const last = events[events.length - 1];
    return { household, expectedRevision: last ? last.revision : 'no_stream' };
  }
}
