import { randomUUID } from 'node:crypto';
import { CoachingVisitRecorded, TRAINING_EVENT_SCHEMAS, householdStatusView, householdStreamId, participationStreamId } from '@peil/contracts';
import { storedEvent as stored, useTempLedger, visitsDecider } from '@peil/testing';
import type { Principal } from '../auth/roles.guard';
import { ManualClock } from '../clock/clock';
import { SubmissionProcessor } from '../submissions/submission-processor';
import { DeciderRuntime } from './decider-runtime';
import { PublishedReader } from './published-reader';

const ON = '2026-03-02T09:00:00.000Z';
const principal = { role: 'ngo', name: 'spec', requestId: '' } as Principal;
const decided: Date[] = [];

describe('DeciderRuntime on a SQLite ledger', () => {
  const ledger = useTempLedger('peil-runtime-');
  let processor: SubmissionProcessor;

  beforeEach(() => {
    const store = ledger.store;
    const households = new PublishedReader(store, householdStatusView);
    const runtime = new DeciderRuntime(store, {
      streamId: (v) => participationStreamId(v.householdId),
      decider: visitsDecider(decided),
      events: TRAINING_EVENT_SCHEMAS,
      inputs: async (v) => ({ household: await households.read(v.householdId) }),
    });
    processor = new SubmissionProcessor(store, { CoachingVisitRecorded: runtime.handler(CoachingVisitRecorded) }, Buffer.alloc(32, 1), new ManualClock(new Date('2026-03-05T08:00:00.000Z')));
  });

  const visit = (visitId: string, householdId = 'H1') => ({ eventId: randomUUID(), type: 'CoachingVisitRecorded', occurredAt: ON, data: { visitId, householdId } });

  it('decides on the folded stream and the published household view, and appends at the revision read', async () => {
    await ledger.store.append(householdStreamId('H1'), [stored('HouseholdEnrolled', { householdId: 'H1', essnId: 'E1', governorate: 'North', district: 'Tripoli', sdcId: 'S', participant: {} })], 'no_stream');
    const [first, again, second] = await processor.processBatch([visit('V1'), visit('V1'), visit('V2')], principal);
    expect(first).toMatchObject({ status: 'accepted', streamId: participationStreamId('H1'), revision: 0 });
    expect(again).toMatchObject({ status: 'rejected', error: { code: 'duplicate_visit', path: 'data.visitId' } });
    expect(second).toMatchObject({ status: 'accepted', revision: 1 });
    expect(decided.at(-1)?.toISOString()).toBe('2026-03-05T08:00:00.000Z');
  });

  it('sees a withdrawal in the very next decision, and refuses a household never enrolled, writing nothing', async () => {
    await ledger.store.append(householdStreamId('H1'), [stored('HouseholdEnrolled', { householdId: 'H1', essnId: 'E1', governorate: 'North', district: 'Tripoli', sdcId: 'S', participant: {} })], 'no_stream');
    expect((await processor.processOne(visit('V1'), principal)).status).toBe('accepted');
    await ledger.store.append(householdStreamId('H1'), [stored('HouseholdWithdrawn', { householdId: 'H1', reason: 'moved' })], 0);
    expect(await processor.processOne(visit('V2'), principal)).toMatchObject({ status: 'rejected', error: { code: 'household_inactive' } });
    expect(await processor.processOne(visit('V3', 'H9'), principal)).toMatchObject({ status: 'rejected', error: { code: 'household_not_found' } });
    expect(await ledger.store.readStream(participationStreamId('H1'))).toHaveLength(1);
    expect(await ledger.store.readStream(participationStreamId('H9'))).toHaveLength(0);
  });
});
