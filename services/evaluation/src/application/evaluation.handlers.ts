import { Inject, Injectable } from '@nestjs/common';
import { SurveyRecorded, evaluationStreamId, toUsdMinor } from '@peil/contracts';
import type { EventStore, ExpectedRevision, JsonValue } from '@peil/ledger';
import { CLOCK, DIGEST_KEY, EVENT_STORE, StreamStateCache, SubmissionProcessor, apiError, type Clock, type Decision, type ValidSubmission } from '@peil/platform';
import { HouseholdStatusReader } from '../../../enrolment/src';
import { decideSurvey, evolveEvaluation, initialEvaluation, type Evaluation, type EvaluationPolicy } from '../domain/survey.decider';

export const EVALUATION_POLICY = Symbol('EvaluationPolicy');

@Injectable()
export class EvaluationSubmissions {
  readonly processor: SubmissionProcessor;
  private readonly households: HouseholdStatusReader;
  /** Evaluation streams, kept folded and caught up before each read. */
  private readonly evaluations: StreamStateCache<Evaluation>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    @Inject(EVALUATION_POLICY) private readonly policy: EvaluationPolicy,
  ) {
    this.households = new HouseholdStatusReader(store);
    this.evaluations = new StreamStateCache(store, {
      initialState: initialEvaluation,
      evolve: (state, e) => evolveEvaluation(state, { type: 'SurveyRecorded', data: e.data as unknown as SurveyRecorded, occurredAt: e.occurredAt }, toUsdMinor),
    });
    this.processor = new SubmissionProcessor(store, { SurveyRecorded: { schema: SurveyRecorded, decide: (s) => this.survey(s) } }, digestKey, clock);
  }

  async evaluation(householdId: string): Promise<{ evaluation: Evaluation; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.evaluations.aggregateStream(evaluationStreamId(householdId));
    return { evaluation: state, expectedRevision };
  }

  private async survey(s: ValidSubmission<SurveyRecorded>): Promise<Decision> {
    const [household, { evaluation, expectedRevision }] = await Promise.all([this.households.read(s.data.householdId), this.evaluation(s.data.householdId)]);
    const outcome = decideSurvey(s.data, s.occurredAt, { household, evaluation }, this.policy);
    if (!outcome.ok) return { kind: 'reject', error: apiError(outcome.rejection.code, outcome.rejection.message, outcome.rejection.path) };
    return {
      kind: 'append',
      streamId: evaluationStreamId(s.data.householdId),
      expectedRevision,
      events: outcome.events.map((e) => ({ eventId: s.eventId, type: e.type, occurredAt: s.occurredAt, data: e.data as unknown as { [k: string]: JsonValue } })),
    };
  }
}
