import { householdStreamId, type EnrolmentEvent } from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import { evolve, initialState } from '../domain/household.decider';

export interface HouseholdStatus {
  status: 'unknown' | 'active' | 'withdrawn';
  district?: string;
  governorate?: string;
  enrolledAt?: string;
}

/**
 * Whether a household is enrolled and active, read fresh from its enrolment stream. Other contexts
 * use this for their "needs an active household" rules: a withdrawal is seen by the very next
 * decision, with no read model in between.
 */
export async function readHouseholdStatus(store: EventStore, householdId: string): Promise<HouseholdStatus> {
  const events = await store.readStream(householdStreamId(householdId));
  const household = events.reduce(
    (s, e) => evolve(s, { type: e.type, data: e.data, occurredAt: e.occurredAt } as unknown as EnrolmentEvent & { occurredAt: string }),
    initialState(),
  );
  if (household.status === 'unknown') return { status: 'unknown' };
  return { status: household.status, district: household.district, governorate: household.governorate, enrolledAt: household.enrolledAt };
}
