import { randomUUID } from 'node:crypto';
import type { JsonValue, NewEvent } from '@peil/ledger';

/**
 * The n-th event a ledger spec appends: fixed times, fresh ids, `data` of `{ n }` unless given, a
 * content digest that follows the data. For the specs of the ledger and of what reads it.
 */
export function testEvent(n: number, source: string, data: { [key: string]: JsonValue } = { n }): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'Tested',
    schemaVersion: 1,
    occurredAt: '2026-01-15T09:30:00.000Z',
    recordedAt: '2026-01-15T09:30:01.000Z',
    source,
    actor: 'tester',
    correlationId: randomUUID(),
    causationId: null,
    data,
    contentDigest: `d:${JSON.stringify(data)}`,
  };
}
