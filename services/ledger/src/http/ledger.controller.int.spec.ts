import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { LedgerTree, SqliteTreeStore, type NewEvent } from '@peil/ledger';
import { countingReads, useTempLedger, type ReadCounter } from '@peil/testing';
import { LedgerController } from './ledger.controller';

const ON = '2026-03-02T09:00:00.000Z';
const stored = (): NewEvent => {
  const eventId = randomUUID();
  return { eventId, type: 'CoachingVisitRecorded', schemaVersion: 1, occurredAt: ON, recordedAt: ON, source: 'spec', actor: 'spec', correlationId: eventId, causationId: null, data: { visitId: eventId }, contentDigest: eventId };
};

describe('GET /v1/ledger/streams/:streamId', () => {
  const ledger = useTempLedger('peil-ledger-http-');
  let reads: ReadCounter;
  let controller: LedgerController;
  beforeEach(async () => {
    reads = countingReads(ledger.store);
    // The tree reads the ledger through its own (uncounted) store: the counts are the controller's reads.
    controller = new LedgerController(reads.store, { tree: new LedgerTree(ledger.store, new SqliteTreeStore(join(ledger.dir, 'ledger-tree.sqlite'))) });
    await ledger.store.append('participation-H1', Array.from({ length: 2_500 }, stored), 'no_stream');
  });

  it('answers a long stream one page at a time (1,000 by default), reading only that page', async () => {
    const first = await controller.stream('participation-H1', {});
    expect(first.events).toHaveLength(1_000);
    expect(first.next).toEqual({ fromRevision: 1_000 });
    expect(reads.streamEvents).toBe(1_000);
    const last = await controller.stream('participation-H1', { fromRevision: '2000', limit: '600' });
    expect(last.events.map((e) => e.revision)).toEqual(Array.from({ length: 500 }, (_, i) => 2_000 + i));
    expect(last.next).toBeNull();
  });

  it('refuses a page size out of bounds, with the parameter named', async () => {
    for (const limit of ['0', '10001', 'many']) {
      await expect(controller.stream('participation-H1', { limit })).rejects.toMatchObject({
        response: { error: { code: 'invalid_query', path: 'limit' } },
      });
    }
  });
});
