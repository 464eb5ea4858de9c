import { Inject, Injectable } from '@nestjs/common';
import {
  EVALUATION_EVENT_SCHEMAS,
  SurveyRecorded,
  evaluationStreamId,
  householdStatusView,
  toUsdMinor,
  type EnrolmentEvent,
  type EvaluationEvent,
  type HouseholdStatus,
} from '@peil/contracts';
import type { EventStore, ExpectedRevision } from '@peil/ledger';
import {
  CLOCK,
  DIGEST_KEY,
  EVENT_STORE,
  PublishedReader,
  StreamStateCache,
  SubmissionProcessor,
  decisionFrom,
  typedFold,
  type Clock,
  type Decision,
  type ValidSubmission,
} from '@peil/platform';
import { decideSurvey, evolveEvaluation, initialEvaluation, type Evaluation, type EvaluationPolicy } from '../domain/survey.decider';

export const EVALUATION_POLICY = Symbol('EvaluationPolicy');

@Injectable()
export class EvaluationSubmissions {
  readonly processor: SubmissionProcessor;
  private readonly households: PublishedReader<HouseholdStatus, EnrolmentEvent>;
  /** Evaluation streams, kept folded and caught up before each read. */
  private readonly evaluations: StreamStateCache<Evaluation>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    @Inject(EVALUATION_POLICY) private readonly policy: EvaluationPolicy,
  ) {
    this.households = new PublishedReader(store, householdStatusView);
    this.evaluations = new StreamStateCache(
      store,
      typedFold<Evaluation, EvaluationEvent>(EVALUATION_EVENT_SCHEMAS, initialEvaluation, (state, e) => evolveEvaluation(state, e, toUsdMinor)),
    );
    this.processor = new SubmissionProcessor(store, { SurveyRecorded: { schema: SurveyRecorded, decide: (s) => this.survey(s) } }, digestKey, clock);
  }

  async evaluation(householdId: string): Promise<{ evaluation: Evaluation; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.evaluations.aggregateStream(evaluationStreamId(householdId));
    return { evaluation: state, expectedRevision };
  }

  private async survey(s: ValidSubmission<SurveyRecorded>): Promise<Decision> {
    const [household, { evaluation, expectedRevision }] = await Promise.all([this.households.read(s.data.householdId), this.evaluation(s.data.householdId)]);
    return decisionFrom(decideSurvey(s.data, s.occurredAt, { household, evaluation }, this.policy), s, evaluationStreamId(s.data.householdId), expectedRevision);
  }
}
