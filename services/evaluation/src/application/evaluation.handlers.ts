import { Inject, Injectable } from '@nestjs/common';
import {
  EVALUATION_EVENT_SCHEMAS,
  SurveyRecorded,
  evaluationStreamId,
  householdStatusView,
  toUsdMinor,
  type EvaluationEvent,
  type HouseholdStatus,
} from '@peil/contracts';
import type { EventStore, ExpectedRevision } from '@peil/ledger';
import { CLOCK, type Clock } from '@peil/platform/clock';
import { DIGEST_KEY, EVENT_STORE } from '@peil/platform/nest';
import { DeciderRuntime, PublishedReader } from '@peil/platform/streams';
import { SubmissionProcessor } from '@peil/platform/submissions';
import { surveyDecider, type Evaluation, type EvaluationPolicy } from '../domain/survey.decider';

export const EVALUATION_POLICY = Symbol('EvaluationPolicy');

/**
 * Surveys through the decider runtime: the household's evaluation stream, decided with the
 * household's status (enrolment's published view) read fresh before each decision.
 */
@Injectable()
export class EvaluationSubmissions {
  readonly processor: SubmissionProcessor;
  private readonly surveys: DeciderRuntime<Evaluation, SurveyRecorded, EvaluationEvent, { household: HouseholdStatus }>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    @Inject(EVALUATION_POLICY) policy: EvaluationPolicy,
  ) {
    const households = new PublishedReader(store, householdStatusView);
    this.surveys = new DeciderRuntime(store, {
      streamId: (survey) => evaluationStreamId(survey.householdId),
      decider: surveyDecider(policy, toUsdMinor),
      events: EVALUATION_EVENT_SCHEMAS,
      inputs: async (survey) => ({ household: await households.read(survey.householdId) }),
    });
    this.processor = new SubmissionProcessor(store, { SurveyRecorded: this.surveys.handler(SurveyRecorded) }, digestKey, clock, {
        groupCommit: true,
      });
  }

  async evaluation(householdId: string): Promise<{ evaluation: Evaluation; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.surveys.aggregate(evaluationStreamId(householdId));
    return { evaluation: state, expectedRevision };
  }
}
