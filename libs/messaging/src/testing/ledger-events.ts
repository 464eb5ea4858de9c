import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, StoredEvent } from '@peil/ledger';

let n = 0;

/** A minimal valid NewEvent; relay tests care about order and identity, not about payloads. */
export function newEvent(type = 'Tested'): NewEvent {
  n += 1;
  const data = { n, note: `event ${n}` };
  return {
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    occurredAt: '2026-03-01T09:00:00.000Z',
    recordedAt: '2026-03-01T09:00:01.000Z',
    source: 'relay-spec',
    actor: 'tester',
    correlationId: randomUUID(),
    causationId: null,
    data,
    contentDigest: `d:${JSON.stringify(data)}`,
  };
}

/** Appends `count` single-event commits round-robin over the streams, so streams interleave in the log. */
export async function appendInterleaved(store: EventStore, streams: readonly string[], count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const streamId = streams[i % streams.length]!;
    await store.append(streamId, [newEvent()], 'any');
  }
}

export async function allEvents(store: EventStore): Promise<StoredEvent[]> {
  return store.readAll(null, 1_000_000);
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
