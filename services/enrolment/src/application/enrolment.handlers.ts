import { Inject, Injectable } from '@nestjs/common';
import {
  ENROLMENT_EVENT_ROLES,
  ENROLMENT_EVENT_SCHEMAS,
  HOUSEHOLD_CATEGORY,
  HouseholdEnrolled,
  HouseholdPersonalDataErased,
  HouseholdWithdrawn,
  PERSONAL_DATA_PATHS,
  ParticipantReplaced,
  householdStreamId,
  type EnrolmentEvent,
} from '@peil/contracts';
import type { EventStore, ExpectedRevision, Position } from '@peil/ledger';
import { type CallerRole } from '@peil/platform/auth';
import { CLOCK, type Clock } from '@peil/platform/clock';
import { DIGEST_KEY, EVENT_STORE, KEY_STORE, PERSONAL_DATA } from '@peil/platform/nest';
import { type HouseholdKeys, type PersonalDataProtector } from '@peil/platform/privacy';
import { DeciderRuntime } from '@peil/platform/streams';
import { SubmissionProcessor } from '@peil/platform/submissions';
import { householdDecider, type EnrolmentContext, type Household } from '../domain/household.decider';
import type { EnrolmentPolicy } from '../domain/enrolment-policy';
import { ENROLMENT_POLICY } from './enrolment-config';
import { ProgrammeRegistry } from './programme-registry';
import { EssnPseudonyms } from './essn-pseudonyms';
import { HouseholdShredder } from './household-shredder';

/** Who may submit which enrolment event (the route admits the union; see EnrolmentController). */
export const ENROLMENT_WRITERS = ENROLMENT_EVENT_ROLES satisfies Record<string, readonly CallerRole[]>;

/**
 * Each household's stream through the decider runtime: read the programme view → pseudonymise the
 * ESSN id → fold the household → decide → encrypt personal data → append with the household's
 * expected revision and, for an enrolment, a condition on the household category (capacity and ESSN
 * uniqueness span all households); after an erasure is appended, destroy the household's key.
 */
@Injectable()
export class EnrolmentSubmissions {
  readonly processor: SubmissionProcessor;
  private readonly households: DeciderRuntime<Household, EnrolmentEvent['data'], EnrolmentEvent, EnrolmentContext & { lastPositionSeen: Position | null }>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    @Inject(PERSONAL_DATA) personalData: PersonalDataProtector,
    @Inject(KEY_STORE) keys: HouseholdKeys,
    @Inject(ENROLMENT_POLICY) policy: EnrolmentPolicy,
    registry: ProgrammeRegistry,
    pseudonyms: EssnPseudonyms,
    shredder: HouseholdShredder,
  ) {
    this.households = new DeciderRuntime<Household, EnrolmentEvent['data'], EnrolmentEvent, EnrolmentContext & { lastPositionSeen: Position | null }>(store, {
      streamId: (data) => householdStreamId(data.householdId),
      decider: householdDecider(policy),
      events: ENROLMENT_EVENT_SCHEMAS,
      inputs: async (data) => {
        // Programme first: its lastPositionSeen must not be newer than the household we decide on.
        const { programme, lastPositionSeen } = await registry.current();
        return { programme, lastPositionSeen, ...('essnId' in data ? { essnPseudonym: pseudonyms.of(data.essnId) } : {}) };
      },
      // Only an enrolment can break capacity or ESSN uniqueness; replacements and withdrawals need no wider lock.
      condition: (command, { lastPositionSeen }) => (command.type === 'HouseholdEnrolled' ? { category: HOUSEHOLD_CATEGORY, lastPositionSeen } : undefined),
      stored: (data, command) => personalData.protect(command.data.householdId, data, PERSONAL_DATA_PATHS),
    });
    const handler = this.households.handler.bind(this.households);
    this.processor = new SubmissionProcessor(store, {
      HouseholdEnrolled: handler(HouseholdEnrolled, ENROLMENT_WRITERS.HouseholdEnrolled),
      ParticipantReplaced: handler(ParticipantReplaced, ENROLMENT_WRITERS.ParticipantReplaced),
      HouseholdWithdrawn: handler(HouseholdWithdrawn, ENROLMENT_WRITERS.HouseholdWithdrawn),
      HouseholdPersonalDataErased: {
        ...handler(HouseholdPersonalDataErased, ENROLMENT_WRITERS.HouseholdPersonalDataErased),
        // Runs once the erasure is on the ledger, and again when it is resubmitted (a crash in between).
        afterAppend: async (submission) => shredder.shred(submission.data.householdId),
      },
    }, digestKey, clock, {
      // decide reads only the ledger and the key store of this process (no other service).
      groupCommit: true,
      onUnitAborted: () => {
        registry.reset();
        this.households.forget();
      },
      // A batch's new household keys are written in one transaction, committed before its events.
      innerUnits: keys.unitOfWork ? [(work) => keys.unitOfWork!(work)] : [],
    });
  }

  /** A household folded up to its newest event, and the revision its next append expects. */
  async household(householdId: string): Promise<{ household: Household; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.households.aggregate(householdStreamId(householdId));
    return { household: state, expectedRevision };
  }
}
