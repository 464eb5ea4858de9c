import type {
  EnrolmentEvent,
  HouseholdEnrolled,
  HouseholdPersonalDataErased,
  HouseholdWithdrawn,
  Participant,
  ParticipantReplaced,
} from '@peil/contracts';
import type { EnrolmentPolicy } from './enrolment-policy';
import type { Programme } from './programme';
import { ageOn, localDay } from './working-age';
import { householdStatusRejection, reject, type Outcome as DeciderOutcome, type RecordedEvent } from '@peil/contracts';

export type Outcome = DeciderOutcome<EnrolmentEvent>;

/** One household's life in the programme. Participant fields are opaque here (encrypted at rest). */
export type Household =
  | { status: 'unknown' }
  | {
      status: 'active' | 'withdrawn';
      householdId: string;
      essnId: string;
      governorate: string;
      district: string;
      sdcId: string;
      participant: Participant;
      enrolledAt: string;
      participantHistory: Array<{ participantId: string; replacedAt: string; reason: string }>;
      withdrawn?: { at: string; reason: string };
      /** Set once the data key is destroyed: every encrypted field of this household is unreadable for good. */
      personalDataErased?: { at: string; reason: string; requestedBy: string };
    };

export const initialState = (): Household => ({ status: 'unknown' });

export function evolve(state: Household, event: Pick<RecordedEvent<EnrolmentEvent>, 'type' | 'data' | 'occurredAt'> & EnrolmentEvent): Household {
  switch (event.type) {
    case 'HouseholdEnrolled': {
      const { householdId, essnId, governorate, district, sdcId, participant } = event.data;
      return { status: 'active', householdId, essnId, governorate, district, sdcId, participant, enrolledAt: event.occurredAt, participantHistory: [] };
    }
    case 'ParticipantReplaced':
      if (state.status === 'unknown') return state;
      // Pushed, not copied: the caller owns the state it passes, and a copy per replacement grows with the stream.
      state.participantHistory.push({ participantId: state.participant.participantId, replacedAt: event.occurredAt, reason: event.data.reason });
      return { ...state, participant: event.data.participant };
    case 'HouseholdWithdrawn':
      if (state.status === 'unknown') return state;
      return { ...state, status: 'withdrawn', withdrawn: { at: event.occurredAt, reason: event.data.reason } };
    case 'HouseholdPersonalDataErased':
      if (state.status === 'unknown') return state;
      return { ...state, personalDataErased: { at: event.occurredAt, reason: event.data.reason, requestedBy: event.data.requestedBy } };
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/** HouseholdEnrolled as submitted, with the keyed pseudonym of its ESSN id that the handler computed. */
export type PseudonymisedEnrolment = HouseholdEnrolled & { essnPseudonym: string };

/**
 * A submission to the enrolment context: the event the field office says happened, and when. An
 * enrolment arrives with its ESSN pseudonym: the key is a secret of the application layer, not a rule.
 */
export type EnrolmentCommand = (
  | Exclude<EnrolmentEvent, { type: 'HouseholdEnrolled' }>
  | { type: 'HouseholdEnrolled'; data: PseudonymisedEnrolment }
) & { occurredAt: string };

/**
 * decide(command, state) → events | rejection. Pure: the programme view and the policy are values,
 * the date rules use the command's own occurredAt.
 */
export function decide(
  command: EnrolmentCommand,
  state: { household: Household; programme: Programme },
  policy: EnrolmentPolicy,
): Outcome {
  switch (command.type) {
    case 'HouseholdEnrolled':
      return enrol(command.data, command.occurredAt, state, policy);
    case 'ParticipantReplaced':
      return replace(command.data, command.occurredAt, state.household, policy);
    case 'HouseholdWithdrawn':
      return withdraw(command.data, state.household);
    case 'HouseholdPersonalDataErased':
      return erase(command.data, state.household);
    default: {
      const exhaustive: never = command;
      return exhaustive;
    }
  }
}

function enrol(
  data: PseudonymisedEnrolment,
  occurredAt: string,
  { household, programme }: { household: Household; programme: Programme },
  policy: EnrolmentPolicy,
): Outcome {
  if (household.status !== 'unknown') {
    return reject('household_already_enrolled', `household ${data.householdId} is already enrolled`, 'data.householdId');
  }
  const holder = programme.essnPseudonyms.get(data.essnPseudonym);
  if (holder !== undefined) {
    return reject('essn_already_enrolled', 'this ESSN id is already enrolled with another household', 'data.essnId');
  }
  if (data.consent !== true) {
    return reject('consent_required', 'the participant must give informed consent', 'data.consent');
  }
  const age = workingAgeRejection(data.participant, occurredAt, policy);
  if (age) return age;
  if (programme.activeCount >= policy.capacity) {
    return reject('capacity_reached', `the programme is at its capacity of ${policy.capacity} active households`);
  }
  return { ok: true, events: [{ type: 'HouseholdEnrolled', data }] };
}

function replace(data: ParticipantReplaced, occurredAt: string, household: Household, policy: EnrolmentPolicy): Outcome {
  const inactive = activeRejection(household, data.householdId);
  if (inactive) return inactive;
  if (household.status !== 'unknown' && household.personalDataErased) {
    // A new participant would need a data key, and the household's key is destroyed for good.
    return reject(
      'household_personal_data_erased',
      `the personal data of household ${data.householdId} was erased on ${household.personalDataErased.at}; it cannot take a new participant`,
      'data.householdId',
    );
  }
  const age = workingAgeRejection(data.participant, occurredAt, policy);
  if (age) return age;
  return { ok: true, events: [{ type: 'ParticipantReplaced', data }] };
}

function withdraw(data: HouseholdWithdrawn, household: Household): Outcome {
  const inactive = activeRejection(household, data.householdId);
  if (inactive) return inactive;
  return { ok: true, events: [{ type: 'HouseholdWithdrawn', data }] };
}

/** Erasure applies to withdrawn households too: the right to erasure outlives programme participation. */
function erase(data: HouseholdPersonalDataErased, household: Household): Outcome {
  if (household.status === 'unknown') {
    return reject('household_not_found', `household ${data.householdId} is not enrolled`, 'data.householdId');
  }
  if (household.personalDataErased) {
    return reject(
      'personal_data_already_erased',
      `the personal data of household ${data.householdId} was already erased on ${household.personalDataErased.at}`,
      'data.householdId',
    );
  }
  return { ok: true, events: [{ type: 'HouseholdPersonalDataErased', data }] };
}

function activeRejection(household: Household, householdId: string): Outcome | undefined {
  return householdStatusRejection(household.status === 'unknown' ? household : { status: household.status, withdrawnAt: household.withdrawn?.at }, householdId);
}

function workingAgeRejection(participant: Participant, occurredAt: string, policy: EnrolmentPolicy): Outcome | undefined {
  const age = ageOn(participant.birthDate, localDay(occurredAt));
  if (age < policy.workingAgeMin || age > policy.workingAgeMax) {
    return reject(
      'participant_not_working_age',
      `the participant is ${age} on ${localDay(occurredAt)}; the programme supports ages ${policy.workingAgeMin}–${policy.workingAgeMax}`,
      'data.participant.birthDate',
    );
  }
  return undefined;
}

/** A submission as the field office sends it: an enrolment without its pseudonym yet. */
export type SubmittedEnrolment = EnrolmentEvent & { occurredAt: string };

/** What an enrolment decision is told, read before it: the programme view across households, and an enrolment's ESSN pseudonym (keyed, so computed outside the domain). */
export interface EnrolmentContext {
  programme: Programme;
  essnPseudonym?: string;
}

/** A household's stream in Emmett's shape, decided with the programme view and the policy as values. */
export const householdDecider = (policy: EnrolmentPolicy) => ({
  initialState,
  evolve,
  decide(command: SubmittedEnrolment, household: Household, context: EnrolmentContext): Outcome {
    if (command.type !== 'HouseholdEnrolled') return decide(command, { household, programme: context.programme }, policy);
    if (context.essnPseudonym === undefined) throw new Error('an enrolment is decided with the pseudonym of its ESSN id');
    const enrolment = { ...command, data: { ...command.data, essnPseudonym: context.essnPseudonym } };
    return decide(enrolment, { household, programme: context.programme }, policy);
  },
});
