import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoachingVisitRecorded,
  TRAINING_EVENT_SCHEMAS,
  householdStatusRejection,
  householdStatusView,
  householdStreamId,
  participationStreamId,
  reject,
  type HouseholdStatus,
  type TrainingEvent,
} from '@peil/contracts';
import { SqliteEventStore, type NewEvent } from '@peil/ledger';
import type { Principal } from '../auth/roles.guard';
import { ManualClock } from '../clock/clock';
import { SubmissionProcessor } from '../submissions/submission-processor';
import { DeciderRuntime, type Decider } from './decider-runtime';
import { PublishedReader } from './published-reader';

const ON = '2026-03-02T09:00:00.000Z';
const principal = { role: 'ngo', name: 'spec', requestId: '' } as Principal;
const stored = (type: string, data: NewEvent['data']): NewEvent => {
  const eventId = randomUUID();
  return { eventId, type, schemaVersion: 1, occurredAt: ON, recordedAt: ON, source: 'spec', actor: 'spec', correlationId: eventId, causationId: null, data, contentDigest: eventId };
};

/** Visits once per id, for an active household; remembers the `now` each decision was given. */
const decided: string[] = [];
const visits: Decider<Set<string>, CoachingVisitRecorded, TrainingEvent, { household: HouseholdStatus }> = {
  initialState: () => new Set(),
  evolve: (ids, e) => (e.type === 'CoachingVisitRecorded' ? ids.add(e.data.visitId) : ids),
  decide: (command, ids, { household, now }) => {
    decided.push(now.toISOString());
    const inactive = householdStatusRejection(household, command.data.householdId);
    if (inactive) return inactive;
    if (ids.has(command.data.visitId)) return reject('duplicate_visit', `visit ${command.data.visitId} is already recorded`, 'data.visitId');
    return { ok: true, events: [{ type: 'CoachingVisitRecorded', data: command.data }] };
  },
};

describe('DeciderRuntime on a SQLite ledger', () => {
  let dir: string;
  let store: SqliteEventStore;
  let processor: SubmissionProcessor;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peil-runtime-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    const households = new PublishedReader(store, householdStatusView);
    const runtime = new DeciderRuntime(store, {
      streamId: (v) => participationStreamId(v.householdId),
      decider: visits,
      events: TRAINING_EVENT_SCHEMAS,
      inputs: async (v) => ({ household: await households.read(v.householdId) }),
    });
    processor = new SubmissionProcessor(store, { CoachingVisitRecorded: runtime.handler(CoachingVisitRecorded) }, Buffer.alloc(32, 1), new ManualClock(new Date('2026-03-05T08:00:00.000Z')));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const visit = (visitId: string, householdId = 'H1') => ({ eventId: randomUUID(), type: 'CoachingVisitRecorded', occurredAt: ON, data: { visitId, householdId } });

  it('decides on the folded stream and the published household view, and appends at the revision read', async () => {
    await store.append(householdStreamId('H1'), [stored('HouseholdEnrolled', { householdId: 'H1', essnId: 'E1', governorate: 'North', district: 'Tripoli', sdcId: 'S', participant: {} })], 'no_stream');
    const [first, again, second] = await processor.processBatch([visit('V1'), visit('V1'), visit('V2')], principal);
    expect(first).toMatchObject({ status: 'accepted', streamId: participationStreamId('H1'), revision: 0 });
    expect(again).toMatchObject({ status: 'rejected', error: { code: 'duplicate_visit', path: 'data.visitId' } });
    expect(second).toMatchObject({ status: 'accepted', revision: 1 });
    expect(decided.at(-1)).toBe('2026-03-05T08:00:00.000Z');
  });

  it('sees a withdrawal in the very next decision, and refuses a household never enrolled, writing nothing', async () => {
    await store.append(householdStreamId('H1'), [stored('HouseholdEnrolled', { householdId: 'H1', essnId: 'E1', governorate: 'North', district: 'Tripoli', sdcId: 'S', participant: {} })], 'no_stream');
    expect((await processor.processOne(visit('V1'), principal)).status).toBe('accepted');
    await store.append(householdStreamId('H1'), [stored('HouseholdWithdrawn', { householdId: 'H1', reason: 'moved' })], 0);
    expect(await processor.processOne(visit('V2'), principal)).toMatchObject({ status: 'rejected', error: { code: 'household_inactive' } });
    expect(await processor.processOne(visit('V3', 'H9'), principal)).toMatchObject({ status: 'rejected', error: { code: 'household_not_found' } });
    expect(await store.readStream(participationStreamId('H1'))).toHaveLength(1);
    expect(await store.readStream(participationStreamId('H9'))).toHaveLength(0);
  });
});
