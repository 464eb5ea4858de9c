import { Inject, Injectable } from '@nestjs/common';
import {
  ENROLMENT_EVENT_ROLES,
  HOUSEHOLD_CATEGORY,
  HouseholdEnrolled,
  HouseholdPersonalDataErased,
  HouseholdWithdrawn,
  PERSONAL_DATA_PATHS,
  ParticipantReplaced,
  householdStreamId,
} from '@peil/contracts';
import type { JsonValue } from '@peil/ledger';
import {
  CLOCK,
  DIGEST_KEY,
  EVENT_STORE,
  KEY_STORE,
  PERSONAL_DATA,
  SubmissionProcessor,
  apiError,
  type CallerRole,
  type Clock,
  type Decision,
  type HouseholdKeys,
  type PersonalDataProtector,
  type SubmissionHandler,
  type ValidSubmission,
} from '@peil/platform';
import type { EventStore } from '@peil/ledger';
import type { z } from 'zod';
import { decide, type EnrolmentCommand } from '../domain/household.decider';
import type { EnrolmentPolicy } from '../domain/enrolment-policy';
import { ENROLMENT_POLICY } from './enrolment-config';
import { HouseholdRepository } from './household.repository';
import { ProgrammeRegistry } from './programme-registry';
import { EssnPseudonyms } from './essn-pseudonyms';
import { HouseholdShredder } from './household-shredder';

/** Who may submit which enrolment event (the route admits the union; see EnrolmentController). */
export const ENROLMENT_WRITERS = ENROLMENT_EVENT_ROLES satisfies Record<string, readonly CallerRole[]>;

/**
 * load household + programme → pseudonymise the ESSN id → decide → encrypt personal data → append
 * with the household's expected revision and a condition on the household category (capacity and
 * ESSN uniqueness span all households); after an erasure is appended, destroy the household's key.
 */
@Injectable()
export class EnrolmentSubmissions {
  readonly processor: SubmissionProcessor;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataProtector,
    @Inject(KEY_STORE) keys: HouseholdKeys,
    @Inject(ENROLMENT_POLICY) private readonly policy: EnrolmentPolicy,
    private readonly households: HouseholdRepository,
    private readonly registry: ProgrammeRegistry,
    private readonly pseudonyms: EssnPseudonyms,
    private readonly shredder: HouseholdShredder,
  ) {
    const handler = <T extends { householdId: string }>(type: keyof typeof ENROLMENT_WRITERS, schema: z.ZodType<T>): SubmissionHandler<T> => ({
      schema,
      roles: ENROLMENT_WRITERS[type],
      decide: (submission) => this.decide(submission),
    });
    this.processor = new SubmissionProcessor(store, {
      HouseholdEnrolled: handler('HouseholdEnrolled', HouseholdEnrolled),
      ParticipantReplaced: handler('ParticipantReplaced', ParticipantReplaced),
      HouseholdWithdrawn: handler('HouseholdWithdrawn', HouseholdWithdrawn),
      HouseholdPersonalDataErased: {
        ...handler('HouseholdPersonalDataErased', HouseholdPersonalDataErased),
        // Runs once the erasure is on the ledger, and again when it is resubmitted (a crash in between).
        afterAppend: async (submission) => this.shredder.shred(submission.data.householdId),
      },
    }, digestKey, clock, {
      // decide reads only the ledger and the key store of this process (no other service).
      groupCommit: true,
      onUnitAborted: () => {
        this.registry.reset();
        this.households.forget();
      },
      // A batch's new household keys are written in one transaction, committed before its events.
      innerUnits: keys.unitOfWork ? [(work) => keys.unitOfWork!(work)] : [],
    });
  }

  private async decide(submission: ValidSubmission<{ householdId: string }>): Promise<Decision> {
    const householdId = submission.data.householdId;
    // Programme first: its lastPositionSeen must not be newer than the household we decide on.
    const { programme, lastPositionSeen } = await this.registry.current();
    const { household, expectedRevision } = await this.households.load(householdId);
    const data = submission.type === 'HouseholdEnrolled'
      ? { ...submission.data, essnPseudonym: this.pseudonyms.of((submission.data as HouseholdEnrolled).essnId) }
      : submission.data;
    const command = { type: submission.type, data, occurredAt: submission.occurredAt } as EnrolmentCommand;
    const outcome = decide(command, { household, programme }, this.policy);
    if (!outcome.ok) return { kind: 'reject', error: apiError(outcome.rejection.code, outcome.rejection.message, outcome.rejection.path) };
    return {
      kind: 'append',
      streamId: householdStreamId(householdId),
      expectedRevision,
      // Only an enrolment can break capacity or ESSN uniqueness; replacements and withdrawals need no wider lock.
      ...(submission.type === 'HouseholdEnrolled' ? { condition: { category: HOUSEHOLD_CATEGORY, lastPositionSeen } } : {}),
      events: await Promise.all(outcome.events.map(async (event) => ({
        eventId: submission.eventId,
        type: event.type,
        occurredAt: submission.occurredAt,
        data: (await this.personalData.protect(householdId, event.data, [...PERSONAL_DATA_PATHS])) as { [key: string]: JsonValue },
      }))),
    };
  }
}
