import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { StoredEvent } from '@peil/ledger';
import { decodeEventMessage, type EventHeaders } from '../event-message';
import { ALL_EVENT_TOPICS } from '../topics';

export interface Received {
  topic: string;
  partition: number;
  key: string;
  headers: EventHeaders;
  event: StoredEvent;
}

export interface Collector {
  /** Everything consumed so far, in consumption order (which is log order within a partition). */
  readonly received: Received[];
  /** Resolves once every eventId in `eventIds` was received at least once. */
  waitFor(eventIds: Iterable<string>, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A consumer group reading every events topic from the beginning, as a downstream service would.
 * The mock cluster waits ~3 s before its first group assignment, so start collectors early.
 */
export async function startCollector(brokers: string[]): Promise<Collector> {
  const kafka = new Kafka({ clientId: 'relay-spec-consumer', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1_000 });
  const consumer: Consumer = kafka.consumer({ groupId: `relay-spec-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const received: Received[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [...ALL_EVENT_TOPICS], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const { headers, event } = decodeEventMessage(message);
      received.push({ topic, partition, key: message.key?.toString() ?? '', headers, event });
    },
  });
  return {
    received,
    async waitFor(eventIds, timeoutMs) {
      const wanted = new Set(eventIds);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = new Set(received.map((r) => r.headers.eventId));
        const missing = [...wanted].filter((id) => !seen.has(id));
        if (missing.length === 0) return;
        if (Date.now() > deadline) throw new Error(`${missing.length} of ${wanted.size} events never arrived on the broker`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => consumer.disconnect(),
  };
}

/**
 * What a consumer that dedupes by eventId ends up with, per key: the first copy of each event, in
 * consumption order. Several sources (clusters) are read one after the other.
 */
export function dedupedByKey(...sources: Received[][]): Map<string, StoredEvent[]> {
  const seen = new Set<string>();
  const byKey = new Map<string, StoredEvent[]>();
  for (const r of sources.flat()) {
    if (seen.has(r.headers.eventId)) continue;
    seen.add(r.headers.eventId);
    const list = byKey.get(r.key) ?? [];
    list.push(r.event);
    byKey.set(r.key, list);
  }
  return byKey;
}

/** The ledger as the same shape: per stream, events in revision order. */
export function ledgerByStream(events: readonly StoredEvent[]): Map<string, StoredEvent[]> {
  const byStream = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const list = byStream.get(e.streamId) ?? [];
    list.push(e);
    byStream.set(e.streamId, list);
  }
  return byStream;
}

/** Per key, the eventIds in order: equal maps mean every event arrived, once after dedupe, in stream order. */
export const idsByKey = (m: Map<string, StoredEvent[]>): Record<string, string[]> =>
  Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, es]) => [k, es.map((e) => e.eventId)]));
