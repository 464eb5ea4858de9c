import { canonicalJson, type Position, type StoredEvent } from '@peil/ledger';
import type { OutboundMessage } from './publisher.port';
import { topicForStream } from './topics';

/**
 * Header names of an outbound event; values are strings (Kafka headers are bytes, read as UTF-8).
 * `prevPosition` is the position of the event the relay read just before this one (empty for the
 * ledger's first event): topics and partitions split the ledger, and EventStoreDB positions have
 * gaps, so this chain is what lets a consumer put events back into exact ledger order (0015).
 */
export const EVENT_HEADERS = ['eventId', 'type', 'position', 'hash', 'prevPosition'] as const;
export type EventHeaders = Record<(typeof EVENT_HEADERS)[number], string>;

/**
 * A ledger event as a bus message: keyed by streamId so one stream stays in one partition, in
 * revision order; the value is the whole stored envelope in canonical JSON, so a consumer can
 * recompute `hash` exactly as the verifier does (it covers every field but position and hash).
 * The headers let consumers route, dedupe (by eventId) and re-sequence without parsing the value.
 */
export function toOutboundMessage(event: StoredEvent, prevPosition: Position | null): OutboundMessage {
  const headers: EventHeaders = {
    eventId: event.eventId,
    type: event.type,
    position: String(event.position),
    hash: event.hash,
    prevPosition: prevPosition === null ? '' : String(prevPosition),
  };
  return { topic: topicForStream(event.streamId), key: event.streamId, value: canonicalJson(event), headers };
}

/** The consumer side of toOutboundMessage: headers as strings, the envelope, and the chain link (null: first event). */
export function decodeEventMessage(message: {
  value: Buffer | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}): { headers: EventHeaders; event: StoredEvent; prevPosition: Position | null } {
  const header = (name: (typeof EVENT_HEADERS)[number], optional = false): string => {
    const raw = message.headers?.[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) {
      if (optional) return '';
      throw new Error(`event message without a ${name} header`);
    }
    return value.toString();
  };
  if (!message.value) throw new Error('event message without a value');
  // Absent and empty both mean "no predecessor": the first event of the ledger.
  const prev = header('prevPosition', true);
  if (prev !== '' && !/^\d+$/.test(prev)) throw new Error(`event message with a malformed prevPosition header: ${prev}`);
  return {
    headers: { eventId: header('eventId'), type: header('type'), position: header('position'), hash: header('hash'), prevPosition: prev },
    event: JSON.parse(message.value.toString('utf8')) as StoredEvent,
    prevPosition: prev === '' ? null : Number(prev),
  };
}
