import { Inject, Injectable } from '@nestjs/common';
import { householdStreamId } from '@peil/contracts';
import type { EventStore, ExpectedRevision } from '@peil/ledger';
import { EVENT_STORE, StreamStateCache } from '@peil/platform';
import type { Household } from '../domain/household.decider';
import { householdFold } from './household.fold';

/** Loads a household by folding its stream (kept folded, caught up on each load); the revision is what the next append expects. */
@Injectable()
export class HouseholdRepository {
  private readonly households: StreamStateCache<Household>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.households = new StreamStateCache(store, householdFold);
  }

  async load(householdId: string): Promise<{ household: Household; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.households.aggregateStream(householdStreamId(householdId));
    return { household: state, expectedRevision };
  }

  /** Frees the folded households at once (a unit of work rolled back); the cache would also notice by itself. */
  forget(): void {
    this.households.clear();
  }
}
