import { reject, type AssessmentEvent, type MarketAssessmentCompleted, type Outcome, type RecordedEvent } from '@peil/contracts';

/** The newest market assessment of one district. */
export type Market = (MarketAssessmentCompleted & { completedAt: string }) | undefined;

/** A district's market stream folded: its newest assessment and every assessment id recorded. */
export interface MarketStream {
  market: Market;
  ids: Set<string>;
}

export type MarketCommand = { type: 'MarketAssessmentCompleted'; data: MarketAssessmentCompleted; occurredAt: string };
export type MarketOutcome = Outcome<{ type: 'MarketAssessmentCompleted'; data: MarketAssessmentCompleted }>;

export const initialMarket = (): MarketStream => ({ market: undefined, ids: new Set() });

/** Changes `state` in place and returns it (the stream cache owns the state it passes): no copy of the id set per event. */
export function evolveMarket(state: MarketStream, event: RecordedEvent<AssessmentEvent>): MarketStream {
  if (event.type !== 'MarketAssessmentCompleted') return state;
  state.market = { ...event.data, completedAt: event.occurredAt };
  state.ids.add(event.data.assessmentId);
  return state;
}

/** An assessment id is recorded once per district; a newer assessment supersedes the older ones. */
export function decideMarketAssessment(command: MarketCommand, state: MarketStream): MarketOutcome {
  const { data } = command;
  if (state.ids.has(data.assessmentId)) {
    return reject('duplicate_assessment', `assessment ${data.assessmentId} is already recorded`, 'data.assessmentId');
  }
  return { ok: true, events: [{ type: 'MarketAssessmentCompleted', data }] };
}

/** The market stream's decider (one stream per district); it needs nothing of other contexts. */
export const marketDecider = {
  initialState: initialMarket,
  evolve: evolveMarket,
  decide: (command: MarketCommand, state: MarketStream): MarketOutcome => decideMarketAssessment(command, state),
};
