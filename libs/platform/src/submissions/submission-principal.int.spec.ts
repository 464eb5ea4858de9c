import { randomUUID } from 'node:crypto';
import { SqliteEventStore, verifyLedger, type EventPrincipal } from '@peil/ledger';
import { z } from 'zod';
import { actingPrincipal } from '../auth/acting-principal';
import type { Principal } from '../auth/roles.guard';
import { ManualClock } from '../clock/clock';
import { SubmissionProcessor, type SubmissionHandler } from './submission-processor';

const ngo: Principal = { role: 'ngo', name: 'ngo:3f9a1c07be', requestId: 'r-1', recordAs: { keyId: '3f9a1c07be', role: 'ngo', via: 'http' } };
const admin: Principal = { role: 'admin', name: 'admin:77aa00bb11', requestId: 'r-2', recordAs: { keyId: '77aa00bb11', role: 'admin', via: 'http' } };
const Named = z.object({ name: z.string() });

describe('SubmissionProcessor records the authenticated principal', () => {
  let store: SqliteEventStore;
  let processor: SubmissionProcessor;
  const followedUpAs: Array<EventPrincipal | undefined> = [];

  beforeEach(() => {
    store = new SqliteEventStore(':memory:');
    followedUpAs.length = 0;
    const named: SubmissionHandler<z.infer<typeof Named>> = {
      schema: Named,
      decide: async (s) => ({
        kind: 'append',
        streamId: `thing-${s.data.name}`,
        expectedRevision: 'any',
        events: [{ eventId: s.eventId, type: s.type, occurredAt: s.occurredAt, data: s.data }],
      }),
      // A follow-up is where a service calls another context: it must still know whom it serves.
      afterAppend: async () => {
        await new Promise((r) => setImmediate(r));
        followedUpAs.push(actingPrincipal());
      },
    };
    processor = new SubmissionProcessor(store, { Named: named }, Buffer.alloc(32, 7), new ManualClock(new Date('2026-03-02T08:00:00Z')));
  });
  afterEach(() => store.close());

  it('next to the claims the client made, which it cannot use to pass as someone else', async () => {
    const event = { eventId: randomUUID(), type: 'Named', occurredAt: '2026-03-01T09:00:00Z', actor: 'admin:0000000000', source: 'admin', data: { name: 'a' } };
    const [result] = await processor.processBatch([event], ngo);
    expect(result).toMatchObject({ status: 'accepted' });
    const [stored] = await store.readAll(null, 10);
    expect(stored).toMatchObject({ actor: 'admin:0000000000', source: 'admin', principal: { keyId: '3f9a1c07be', role: 'ngo', via: 'http' } });
    expect(await verifyLedger(store)).toMatchObject({ ok: true, checkedEvents: 1 });
    expect(followedUpAs).toEqual([ngo.recordAs]);
  });

  it('answers the same event from another key duplicate, and keeps the first principal', async () => {
    const event = { eventId: randomUUID(), type: 'Named', occurredAt: '2026-03-01T09:00:00Z', data: { name: 'b' } };
    const [first] = await processor.processBatch([event], ngo);
    const [again] = await processor.processBatch([{ ...event, actor: 'someone else' }], admin);
    expect(again).toEqual({ ...first, status: 'duplicate' });
    const events = await store.readAll(null, 10);
    expect(events.map((e) => e.principal)).toEqual([ngo.recordAs]);
    // The follow-up of a duplicate runs again (a flow cut short resumes), for the one who sent it now.
    expect(followedUpAs).toEqual([ngo.recordAs, admin.recordAs]);
  });
});
