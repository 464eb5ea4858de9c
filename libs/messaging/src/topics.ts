import { categoryOf } from '@peil/ledger';

/** The bounded contexts that own streams (`peil.<context>.events`). */
export const EVENT_CONTEXTS = ['enrolment', 'assessment', 'asset-transfer', 'training', 'evaluation', 'grant'] as const;
export type EventContext = (typeof EVENT_CONTEXTS)[number];

/**
 * Streams whose category belongs to no context (today: the ledger's own `$checkpoints`, and anything a
 * future context writes before it is added here) go to one catch-all topic rather than being
 * dropped: the relay never skips an event, and an unmapped category shows up on a topic an
 * operator can watch.
 */
export const OTHER_CONTEXT = 'other';

/**
 * Stream category → owning context. Categories are the prefixes of the stream ids defined in
 * libs/contracts (household-…, market-…, assetcatalogue-peil, …); listed here rather than imported
 * so that the relay stays independent of the event schemas.
 */
const CONTEXT_BY_CATEGORY: Readonly<Record<string, EventContext>> = {
  household: 'enrolment',
  market: 'assessment',
  livelihood: 'assessment',
  assetcatalogue: 'asset-transfer',
  assets: 'asset-transfer',
  session: 'training',
  participation: 'training',
  evaluation: 'evaluation',
  grant: 'grant',
};

export function contextOfStream(streamId: string): EventContext | typeof OTHER_CONTEXT {
  // hasOwn, not `in`: a category named "constructor" must not find Object.prototype's.
  const category = categoryOf(streamId);
  return Object.hasOwn(CONTEXT_BY_CATEGORY, category) ? CONTEXT_BY_CATEGORY[category]! : OTHER_CONTEXT;
}

export const eventsTopic = (context: EventContext | typeof OTHER_CONTEXT): string => `peil.${context}.events`;

export const topicForStream = (streamId: string): string => eventsTopic(contextOfStream(streamId));

/** Every topic the relay may write to, for creating them up front where brokers do not auto-create. */
export const ALL_EVENT_TOPICS: readonly string[] = [...EVENT_CONTEXTS.map(eventsTopic), eventsTopic(OTHER_CONTEXT)];
