import { randomUUID } from 'node:crypto';
import { SqliteEventStore, type EventPrincipal, type NewEvent } from '@peil/ledger';
import { actingFor, actingPrincipal } from '../auth/acting-principal';
import { ManualClock } from '../clock/clock';
import { FollowUpRecovery } from './follow-up.recovery';

const ngo: EventPrincipal = { keyId: '3f9a1c07be', role: 'ngo', via: 'http' };

function started(): NewEvent {
  return {
    eventId: randomUUID(), type: 'Started', schemaVersion: 1, occurredAt: '2026-03-01T09:00:00Z', recordedAt: '2026-03-01T09:00:00.000Z',
    source: 's', actor: 'a', correlationId: 'c', causationId: null, data: {}, contentDigest: 'd', principal: ngo,
  };
}

describe('FollowUpRecovery acts on the service’s own account', () => {
  it('even when the append that woke it was made while serving a submitter', async () => {
    const store = new SqliteEventStore(':memory:', { pollIntervalMs: 10 });
    const seen: Array<EventPrincipal | undefined | 'none'> = [];
    let resumed!: () => void;
    const done = new Promise<void>((r) => (resumed = r));
    const recovery = new FollowUpRecovery(store, new ManualClock(new Date('2026-03-01T10:00:00Z')), {
      name: 'test',
      needsFollowUp: (e) => e.type === 'Started',
      completes: () => undefined,
      resume: async () => {
        seen.push(actingPrincipal() ?? 'none');
        resumed();
      },
      graceMs: 0,
    }, 60_000);
    recovery.start();
    try {
      // Let the subscription reach its polling state, so that the append below wakes it from within the submitter's context.
      await new Promise((r) => setTimeout(r, 30));
      await actingFor(ngo, () => store.append(`thing-${randomUUID()}`, [started()], 'no_stream'));
      await done;
      expect(seen).toEqual(['none']);
    } finally {
      recovery.stop();
      await store.close();
    }
  });
});
