import { householdStreamId } from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import { StreamStateCache } from '@peil/platform';
import type { Household } from '../domain/household.decider';
import { householdFold } from './household.fold';

export interface HouseholdStatus {
  status: 'unknown' | 'active' | 'withdrawn';
  district?: string;
  governorate?: string;
  enrolledAt?: string;
}

/**
 * Whether a household is enrolled and active, read from its enrolment stream (kept folded, caught up
 * before every answer). Other contexts use this for their "needs an active household" rules: a
 * withdrawal is seen by the very next decision, with no read model in between.
 */
export class HouseholdStatusReader {
  private readonly households: StreamStateCache<Household>;

  constructor(store: EventStore) {
    this.households = new StreamStateCache(store, householdFold);
  }

  async read(householdId: string): Promise<HouseholdStatus> {
    const { state: household } = await this.households.aggregateStream(householdStreamId(householdId));
    if (household.status === 'unknown') return { status: 'unknown' };
    return { status: household.status, district: household.district, governorate: household.governorate, enrolledAt: household.enrolledAt };
  }
}
