import { canonicalJson, type StoredEvent } from '@peil/ledger';
import type { OutboundMessage } from './publisher.port';
import { topicForStream } from './topics';

/** Header names of an outbound event; values are strings (Kafka headers are bytes, read as UTF-8). */
export const EVENT_HEADERS = ['eventId', 'type', 'position', 'hash'] as const;
export type EventHeaders = Record<(typeof EVENT_HEADERS)[number], string>;

/**
 * A ledger event as a bus message: keyed by streamId so one stream stays in one partition, in
 * revision order; the value is the whole stored envelope in canonical JSON, so a consumer can
 * recompute `hash` exactly as the verifier does (it covers every field but position and hash).
 * The headers let consumers route and dedupe (by eventId) without parsing the value.
 */
export function toOutboundMessage(event: StoredEvent): OutboundMessage {
  const headers: EventHeaders = {
    eventId: event.eventId,
    type: event.type,
    position: String(event.position),
    hash: event.hash,
  };
  return { topic: topicForStream(event.streamId), key: event.streamId, value: canonicalJson(event), headers };
}

/** The consumer side of toOutboundMessage: headers as strings and the envelope. */
export function decodeEventMessage(message: {
  value: Buffer | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}): { headers: EventHeaders; event: StoredEvent } {
  const header = (name: (typeof EVENT_HEADERS)[number]): string => {
    const raw = message.headers?.[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) throw new Error(`event message without a ${name} header`);
    return value.toString();
  };
  if (!message.value) throw new Error('event message without a value');
  return {
    headers: { eventId: header('eventId'), type: header('type'), position: header('position'), hash: header('hash') },
    event: JSON.parse(message.value.toString('utf8')) as StoredEvent,
  };
}
