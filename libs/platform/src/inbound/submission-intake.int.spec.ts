import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@peil/ledger';
import { z } from 'zod';
import { ManualClock } from '../clock/clock';
import { integrityRefusal } from '../integrity/integrity-write.guard';
import { IntegrityStatus } from '../integrity/integrity.status';
import { SubmissionProcessor } from '../submissions/submission-processor';
import { SubmissionIntake } from './submission-intake';

/** A Kafka submission while the process holds an integrity fault: answered as a rejection, nothing written. */
describe('SubmissionIntake under an integrity fault', () => {
  let dir: string;
  let store: SqliteEventStore;
  let intake: SubmissionIntake;
  const integrity = new IntegrityStatus();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'peil-intake-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    const processor = new SubmissionProcessor(
      store,
      {
        Noted: {
          schema: z.object({ note: z.string() }),
          decide: async (s) => ({ kind: 'append', streamId: `note-${s.eventId}`, expectedRevision: 'no_stream', events: [{ eventId: s.eventId, type: s.type, occurredAt: s.occurredAt, data: s.data }] }),
        },
      },
      Buffer.alloc(32, 1),
      new ManualClock(new Date('2026-03-01T08:00:00Z')),
    );
    intake = new SubmissionIntake('enrolment', ['ngo'], new Map([['rmf-mis', 'ngo']]), processor, () => integrityRefusal(integrity));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const message = (...ids: string[]) =>
    Buffer.from(JSON.stringify({ events: ids.map((eventId) => ({ eventId, type: 'Noted', occurredAt: '2026-03-01T09:00:00Z', data: { note: 'x' } })) }));

  it('records submissions while the ledger is intact', async () => {
    const answers = await intake.take(message(randomUUID()), 'rmf-mis');
    expect(answers.map((a) => a.result.status)).toEqual(['accepted']);
  });

  it('rejects every event of a message with ledger_integrity_fault once a fault is held, and writes nothing', async () => {
    integrity.raise('ledger-chain', { position: 1, reason: 'hash_mismatch', detail: 'changed' });
    const ids = [randomUUID(), randomUUID()];
    const answers = await intake.take(message(...ids), 'rmf-mis');
    expect(answers.map((a) => a.result)).toEqual(
      ids.map((eventId) => ({ eventId, status: 'rejected', error: { code: 'ledger_integrity_fault', message: expect.stringContaining('hash_mismatch at position 1') } })),
    );
    // The message goes to the dead-letter topic once, to be produced again after the repair.
    expect(answers.filter((a) => a.deadLetter)).toHaveLength(1);
    expect(await store.headPosition()).toBe(1);
  });
});
