import { randomUUID } from 'node:crypto';
import type { NewEvent, StoredEvent } from '../core/envelope';

/** Events and names for the store contract suites: fresh ids each call, so suites share a server safely. */
let counter = 0;

export function event(overrides: Partial<NewEvent> = {}): NewEvent {
  counter += 1;
  const data = overrides.data ?? { n: counter, label: 'Zahlé — café ✓', nested: { list: [1, 'two', null, true, 2.5], amountMinor: 123_456 } };
  return {
    eventId: randomUUID(),
    type: 'ContractChecked',
    schemaVersion: 1,
    occurredAt: '2026-01-15T09:30:00.000Z',
    recordedAt: `2026-01-15T09:30:${String(counter % 60).padStart(2, '0')}.000Z`,
    source: 'contract-suite',
    actor: 'tester',
    correlationId: randomUUID(),
    causationId: counter % 2 === 0 ? randomUUID() : null,
    ...overrides,
    data,
    contentDigest: overrides.contentDigest ?? `digest:${JSON.stringify(data)}`,
  };
}

/** The hashed envelope a NewEvent becomes, minus what the store assigns. */
export function envelopeOf(e: NewEvent): Omit<StoredEvent, 'streamId' | 'revision' | 'position' | 'prevHash' | 'hash'> {
  const { contentDigest: _digest, ...envelope } = e;
  return envelope;
}

/** The submission that produced a stored event (same content digest), for resubmitting it. */
export function recordedInput(e: StoredEvent & { contentDigest: string }): NewEvent {
  const { position: _p, streamId: _s, revision: _r, prevHash: _ph, hash: _h, ...input } = e;
  return input;
}

export function streamId(): string {
  return `contract-${randomUUID()}`;
}

/** A category name no other test or run uses (no '-', which ends a category). */
export function category(): string {
  return `cat${randomUUID().replace(/-/g, '')}`;
}

export function expectIncreasing(positions: number[]): void {
  positions.forEach((p, i) => {
    if (i > 0) expect(p).toBeGreaterThan(positions[i - 1]!);
  });
}
