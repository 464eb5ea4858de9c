import { z } from 'zod';
import { FreeText, Id, IsoDate, NonEmptyText } from '../common/primitives';

/**
 * Enrolment context event schemas, owned by the enrolment service and only read by
 * others. Each schema validates submitted data and gives the TypeScript type of the event.
 */
export const Participant = z.object({
  participantId: Id,
  fullName: NonEmptyText(200),
  sex: z.enum(['F', 'M']),
  birthDate: IsoDate,
  educationLevel: NonEmptyText(100),
  phone: z.string().regex(/^\+?[0-9 ()-]{6,20}$/, 'a phone number').optional(),
});
export type Participant = z.infer<typeof Participant>;

export const HouseholdEnrolled = z.object({
  householdId: Id,
  essnId: Id,
  governorate: NonEmptyText(100),
  district: NonEmptyText(100),
  sdcId: Id,
  participant: Participant,
  // A boolean, not literal(true): refusing consent is a business rule with its own code, not a typo.
  consent: z.boolean(),
});
export type HouseholdEnrolled = z.infer<typeof HouseholdEnrolled>;

/**
 * HouseholdEnrolled as the ledger holds it: `essnId` encrypted like the participant's name, and beside
 * it `essnPseudonym`, a keyed HMAC of the ESSN id on which one-household-per-ESSN-id is checked.
 * Events recorded before pseudonyms have a plain `essnId` and no `essnPseudonym`; readers compute it.
 * Not submittable: the service derives it (the schema above drops unknown keys).
 */
export type RecordedHouseholdEnrolled = HouseholdEnrolled & { essnPseudonym?: string };

export const ParticipantReplaced = z.object({
  householdId: Id,
  participant: Participant,
  reason: FreeText(500),
});
export type ParticipantReplaced = z.infer<typeof ParticipantReplaced>;

export const HouseholdWithdrawn = z.object({
  householdId: Id,
  reason: FreeText(500),
});
export type HouseholdWithdrawn = z.infer<typeof HouseholdWithdrawn>;

/**
 * Right to erasure: the household's data key is destroyed (crypto-shredding), so every encrypted
 * field of its events becomes unreadable for good while the ledger still verifies. `reason` and
 * `requestedBy` are references (a request number, a role), never personal data: they stay readable.
 */
export const HouseholdPersonalDataErased = z.object({
  householdId: Id,
  reason: NonEmptyText(500),
  requestedBy: NonEmptyText(200),
});
export type HouseholdPersonalDataErased = z.infer<typeof HouseholdPersonalDataErased>;

export const ENROLMENT_EVENT_SCHEMAS = {
  HouseholdEnrolled,
  ParticipantReplaced,
  HouseholdWithdrawn,
  HouseholdPersonalDataErased,
} as const;

/**
 * Who may submit each enrolment event type. The events route admits the union; each event is then
 * checked against its own type's roles, so an irreversible erasure is decided by a supervisor (or an
 * admin), not by field staff. Published here so the API document states exactly what is enforced.
 */
export const ENROLMENT_EVENT_ROLES = {
  HouseholdEnrolled: ['ngo', 'admin'],
  ParticipantReplaced: ['ngo', 'admin'],
  HouseholdWithdrawn: ['ngo', 'admin'],
  HouseholdPersonalDataErased: ['supervisor', 'admin'],
} as const satisfies Record<keyof typeof ENROLMENT_EVENT_SCHEMAS, readonly string[]>;

/** The enrolment events as a discriminated union on an explicit, stored `type`. */
export type EnrolmentEvent =
  | { type: 'HouseholdEnrolled'; data: RecordedHouseholdEnrolled }
  | { type: 'ParticipantReplaced'; data: ParticipantReplaced }
  | { type: 'HouseholdWithdrawn'; data: HouseholdWithdrawn }
  | { type: 'HouseholdPersonalDataErased'; data: HouseholdPersonalDataErased };
export type EnrolmentEventType = EnrolmentEvent['type'];

/** Every enrolment event lives in its household's stream. */
export const householdStreamId = (householdId: string): string => `household-${householdId}`;
export const HOUSEHOLD_CATEGORY = 'household';

/** Paths of personal data inside enrolment events: encrypted at rest under the household's key. */
export const PERSONAL_DATA_PATHS = ['essnId', 'participant.fullName', 'participant.phone', 'participant.birthDate'] as const;
