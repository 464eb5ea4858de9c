import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@peil/ledger';

/** An event as a context would have recorded it, to append straight to a ledger in a spec or bench: fresh ids, fixed times. */
export function storedEvent(type: string, data: NewEvent['data'], occurredAt = '2026-03-02T09:00:00.000Z'): NewEvent {
  const eventId = randomUUID();
  return { eventId, type, schemaVersion: 1, occurredAt, recordedAt: occurredAt, source: 'spec', actor: 'spec', correlationId: eventId, causationId: null, data, contentDigest: eventId };
}
