import type { EnrolmentEvent, GrantEvent, RecordedEvent } from '@peil/contracts';
import type { StoredEvent } from '@peil/ledger';
import { recordedAs } from '@peil/platform/streams';

type Commitment = RecordedEvent<Extract<GrantEvent, { type: 'FundsCommitted' }>>;
type Withdrawal = RecordedEvent<Extract<EnrolmentEvent, { type: 'HouseholdWithdrawn' }>>;

const COMMITTED = new Set(['FundsCommitted']);
const WITHDRAWN = new Set(['HouseholdWithdrawn']);
/** A plan's commitment names the plan's approval in its reference: `LivelihoodPlanApproved/<eventId>`. */
const PLAN_REFERENCE = 'LivelihoodPlanApproved/';

export const planReference = (planEventId: string): string => `${PLAN_REFERENCE}${planEventId}`;

/** A stored `FundsCommitted`, typed; undefined for any other event. */
export function commitmentOf(stored: StoredEvent): Commitment | undefined {
  const event = recordedAs<GrantEvent>(stored, COMMITTED);
  return event?.type === 'FundsCommitted' ? event : undefined;
}

/** The eventId of the plan approval a commitment was made for; undefined for a commitment of anything else. */
export function planEventIdOf(stored: StoredEvent): string | undefined {
  const reference = commitmentOf(stored)?.data.reference;
  return reference?.startsWith(PLAN_REFERENCE) ? reference.slice(PLAN_REFERENCE.length) : undefined;
}

/** A stored `HouseholdWithdrawn`, typed; undefined for any other event. */
export function withdrawalOf(stored: StoredEvent): Withdrawal | undefined {
  const event = recordedAs<EnrolmentEvent>(stored, WITHDRAWN);
  return event?.type === 'HouseholdWithdrawn' ? event : undefined;
}
