import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { householdStreamId, participationStreamId } from '@peil/contracts';
import { SqliteEventStore, type NewEvent } from '@peil/ledger';
import { type Principal } from '@peil/platform/auth';
import { ManualClock } from '@peil/platform/clock';
import { storeTailFeeds } from '@peil/projections';
import { countingReads, type ReadCounter } from '@peil/testing';
import type { GrantClient } from '@peil/platform/clients';
import { TrainingController } from '../http/training.controller';
import { SessionExpenditures } from './session-expenditures';
import { TrainingSubmissions } from './training.handlers';
import { TrainingReads } from './training-reads';

const ON = '2026-03-02T09:00:00.000Z';
const principal = { role: 'ngo', name: 'field-office', requestId: '' } as Principal;

const stored = (type: string, data: NewEvent['data'], eventId = randomUUID()): NewEvent => ({
  eventId, type, schemaVersion: 1, occurredAt: ON, recordedAt: ON, source: 'spec', actor: 'spec', correlationId: eventId, causationId: null, data, contentDigest: eventId,
});
const visit = (householdId: string) => ({ eventId: randomUUID(), type: 'CoachingVisitRecorded', occurredAt: ON, data: { visitId: randomUUID(), householdId } });

/**
 * A household with thousands of coaching visits: one more visit and one read of the household must
 * each read a handful of events, not the whole stream (each decision used to re-read and re-fold it,
 * copying the visit set at every step).
 */
describe('training on a long participation stream', () => {
  let dir: string;
  let sqlite: SqliteEventStore;
  let reads: ReadCounter;
  let submissions: TrainingSubmissions;
  let controller: TrainingController;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peil-training-'));
    sqlite = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    reads = countingReads(sqlite);
    const trainingReads = new TrainingReads(reads.store);
    // Coaching visits never reach the grant service (only sessions with a cost do).
    const expenditures = new SessionExpenditures({} as GrantClient);
    submissions = new TrainingSubmissions(reads.store, new ManualClock(new Date(ON)), Buffer.alloc(32, 7), 60_000, trainingReads, expenditures, storeTailFeeds(reads.store));
    controller = new TrainingController(submissions, trainingReads);
    await sqlite.append(householdStreamId('H1'), [stored('HouseholdEnrolled', { householdId: 'H1', essnId: 'E1', governorate: 'North', district: 'Tripoli', sdcId: 'SDC-1', participant: {} })], 'no_stream');
  });
  afterEach(async () => {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records one more visit and reads the household at a cost independent of the stream length', async () => {
    const earlier = 4_000;
    for (let i = 0; i < earlier; i += 500) {
      const events = Array.from({ length: 500 }, () => stored('CoachingVisitRecorded', { visitId: randomUUID(), householdId: 'H1' }));
      await sqlite.append(participationStreamId('H1'), events, i === 0 ? 'no_stream' : i - 1);
    }
    // A batch as the field office sends them; the first decision folds the stream once.
    const batch = Array.from({ length: 20 }, () => visit('H1'));
    const results = await submissions.processor.processBatch(batch, principal);
    expect(results.every((r) => r.status === 'accepted')).toBe(true);

    reads.reset();
    const [one] = await submissions.processor.processBatch([visit('H1')], principal);
    expect(one).toMatchObject({ status: 'accepted', revision: earlier + 20 });
    const afterVisit = reads.streamEvents;

    reads.reset();
    const household = await controller.household('H1');
    expect(household).toMatchObject({ coachingVisits: earlier + 21, revision: earlier + 20 });
    const afterRead = reads.streamEvents;

    // Each stream read costs the last event already folded (re-read to check it) and the new ones:
    // household 1; participation 2 (the batch's last visit, appended after its decision, and one more).
    expect({ afterVisit, afterRead }).toEqual({ afterVisit: 1 + 2, afterRead: 1 + 2 });
  });

  it('still refuses a visit already recorded, wherever it is in the stream', async () => {
    const first = visit('H1');
    await submissions.processor.processBatch([first, ...Array.from({ length: 30 }, () => visit('H1'))], principal);
    const [again] = await submissions.processor.processBatch([{ ...first, eventId: randomUUID() }], principal);
    expect(again).toMatchObject({ status: 'rejected', error: { code: 'duplicate_visit' } });
  });
});
