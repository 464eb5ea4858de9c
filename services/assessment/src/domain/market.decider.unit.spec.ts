import type { AssessmentEvent, MarketAssessmentCompleted, RecordedEvent } from '@peil/contracts';
import { deciderSpec } from '@peil/testing';
import { marketDecider, type MarketCommand } from './market.decider';

const ON = '2026-04-01T10:00:00+03:00';
const assessment = (assessmentId: string, viableSectors = ['tailoring']): MarketAssessmentCompleted => ({ assessmentId, governorate: 'North', district: 'Tripoli', viableSectors });
const completed = (data: MarketAssessmentCompleted, position: number): RecordedEvent<AssessmentEvent> => ({ type: 'MarketAssessmentCompleted', eventId: `e${position}`, occurredAt: ON, position, data });
const when = (data: MarketAssessmentCompleted): MarketCommand => ({ type: 'MarketAssessmentCompleted', data, occurredAt: ON });

const spec = deciderSpec(marketDecider);

describe('MarketAssessmentCompleted', () => {
  it('records the first assessment of a district, and a newer one over it', () => {
    spec.given([]).when(when(assessment('MA-1'))).then([{ type: 'MarketAssessmentCompleted', data: assessment('MA-1') }]);
    spec.given([completed(assessment('MA-1'), 1)]).when(when(assessment('MA-2'))).then([{ type: 'MarketAssessmentCompleted', data: assessment('MA-2') }]);
  });
  it('rejects an assessment id already recorded, even after a newer one (duplicate_assessment)', () => {
    spec.given([completed(assessment('MA-1'), 1)]).when(when(assessment('MA-1'))).thenRejects('duplicate_assessment', 'data.assessmentId');
    spec.given([completed(assessment('MA-1'), 1), completed(assessment('MA-2'), 2)]).when(when(assessment('MA-1'))).thenRejects('duplicate_assessment');
  });
  it('folds to the newest assessment, which is what plans are judged by', () => {
    const state = [completed(assessment('MA-1'), 1), completed(assessment('MA-2', ['painting']), 2)].reduce(marketDecider.evolve, marketDecider.initialState());
    expect(state.market).toMatchObject({ assessmentId: 'MA-2', viableSectors: ['painting'], completedAt: ON });
  });
});
