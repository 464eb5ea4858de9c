import { Inject, Injectable } from '@nestjs/common';
import { SurveyRecorded, evaluationStreamId, toUsdMinor } from '@peil/contracts';
import type { EventStore, ExpectedRevision, JsonValue } from '@peil/ledger';
import { CLOCK, DIGEST_KEY, EVENT_STORE, SubmissionProcessor, apiError, type Clock, type Decision, type ValidSubmission } from '@peil/platform';
import { readHouseholdStatus } from '../../../enrolment/src';
import { decideSurvey, evolveEvaluation, initialEvaluation, type Evaluation, type EvaluationPolicy } from '../domain/survey.decider';

export const EVALUATION_POLICY = Symbol('EvaluationPolicy');

@Injectable()
export class EvaluationSubmissions {
  readonly processor: SubmissionProcessor;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    @Inject(EVALUATION_POLICY) private readonly policy: EvaluationPolicy,
  ) {
    this.processor = new SubmissionProcessor(store, { SurveyRecorded: { schema: SurveyRecorded, decide: (s) => this.survey(s) } }, digestKey, clock);
  }

  async evaluation(householdId: string): Promise<{ evaluation: Evaluation; expectedRevision: ExpectedRevision }> {
    const events = await this.store.readStream(evaluationStreamId(householdId));
    const evaluation = events.reduce(
      (s, e) => evolveEvaluation(s, { type: 'SurveyRecorded', data: e.data as unknown as SurveyRecorded, occurredAt: e.occurredAt }, toUsdMinor),
      initialEvaluation(),
    );
    return { evaluation, expectedRevision: events.length ? events[events.length - 1]!.revision : 'no_stream' };
  }

  private async survey(s: ValidSubmission<SurveyRecorded>): Promise<Decision> {
    const [household, { evaluation, expectedRevision }] = await Promise.all([readHouseholdStatus(this.store, s.data.householdId), this.evaluation(s.data.householdId)]);
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
