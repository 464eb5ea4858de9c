import { ALL_EVENT_TOPICS, contextOfStream, topicForStream } from './topics';

describe('topic of a stream (peil.<context>.events)', () => {
  it.each([
    ['household-HH-1', 'peil.enrolment.events'],
    ['market-akkar-halba', 'peil.assessment.events'],
    ['livelihood-HH-1', 'peil.assessment.events'],
    ['assetcatalogue-peil', 'peil.asset-transfer.events'],
    ['assets-HH-1', 'peil.asset-transfer.events'],
    ['session-S-1', 'peil.training.events'],
    ['participation-HH-1', 'peil.training.events'],
    ['evaluation-HH-1', 'peil.evaluation.events'],
    ['grant-TF0B1234', 'peil.grant.events'],
  ])('%s → %s', (streamId, topic) => {
    expect(topicForStream(streamId)).toBe(topic);
  });

  it('sends unknown categories to peil.other.events instead of dropping them', () => {
    expect(topicForStream('$seals')).toBe('peil.other.events');
    expect(topicForStream('mystery-1')).toBe('peil.other.events');
    // Inherited object keys are not categories.
    expect(contextOfStream('constructor-1')).toBe('other');
    expect(contextOfStream('toString')).toBe('other');
  });

  it('uses the category before the first dash only', () => {
    expect(topicForStream('household')).toBe('peil.enrolment.events');
    expect(topicForStream('household-HH-with-dashes')).toBe('peil.enrolment.events');
    expect(topicForStream('households-1')).toBe('peil.other.events');
  });

  it('lists every topic once, the catch-all included', () => {
    expect([...ALL_EVENT_TOPICS].sort()).toEqual(
      ['assessment', 'asset-transfer', 'enrolment', 'evaluation', 'grant', 'other', 'training'].map((c) => `peil.${c}.events`),
    );
  });
});
