import { randomUUID } from 'node:crypto';
import { CoachingVisitRecorded, TRAINING_EVENT_SCHEMAS, participationStreamId, reject, type Outcome, type RecordedEvent, type TrainingEvent } from '@peil/contracts';
import { useTempLedger } from '@peil/testing';
import { z } from 'zod';
import type { Principal } from '../auth/roles.guard';
import { ManualClock } from '../clock/clock';
import { SubmissionProcessor } from '../submissions/submission-processor';
import { DeciderRuntime } from './decider-runtime';

const ON = '2026-03-02T09:00:00.000Z';
const principal = { role: 'ngo', name: 'spec', requestId: '' } as Principal;

/**
 * Group commit and the runtime's folds: a decision inside a unit of work folds the unit's own, not
 * yet committed, appends. When the unit rolls back, the next decision must rest on what the ledger
 * kept — the fold notices by itself (it re-reads the last event it folded and compares its hash),
 * so the services that group commits (training, asset-transfer, evaluation, grant) need no reset.
 */
describe('DeciderRuntime under group commit, when a unit of work rolls back', () => {
  const ledger = useTempLedger('peil-runtime-rollback-');
  const visits = {
    initialState: () => new Set<string>(),
    evolve: (ids: Set<string>, e: RecordedEvent<TrainingEvent>) => (e.type === 'CoachingVisitRecorded' ? new Set(ids).add(e.data.visitId) : ids),
    decide: (command: { data: CoachingVisitRecorded }, ids: Set<string>): Outcome<TrainingEvent> =>
      ids.has(command.data.visitId) ? reject('duplicate_visit', 'this visit is recorded already', 'data.visitId') : { ok: true, events: [{ type: 'CoachingVisitRecorded', data: command.data }] },
  };
  const visit = (visitId: string) => ({ eventId: randomUUID(), type: 'CoachingVisitRecorded', occurredAt: ON, data: { visitId, householdId: 'H1' }, source: 'spec', actor: 'spec' });
  // An unexpected failure (a bug, a store error) after the visit was decided in the same unit.
  const boom = { eventId: randomUUID(), type: 'Boom', occurredAt: ON, data: {}, source: 'spec', actor: 'spec' };

  const setUp = () => {
    const runtime = new DeciderRuntime(ledger.store, { streamId: (v: CoachingVisitRecorded) => participationStreamId(v.householdId), decider: visits, events: TRAINING_EVENT_SCHEMAS });
    const processor = new SubmissionProcessor(ledger.store, {
      CoachingVisitRecorded: runtime.handler(CoachingVisitRecorded),
      Boom: { schema: z.object({}), decide: async () => { throw new Error('boom'); } },
    }, Buffer.alloc(32, 1), new ManualClock(new Date(ON)), { groupCommit: true });
    return processor;
  };

  it('decides the next submission on what the ledger kept: the rolled-back visit is accepted when sent again', async () => {
    const processor = setUp();
    const first = visit('V1');
    await expect(processor.processBatch([first, boom], principal)).rejects.toThrow('boom');
    expect(await ledger.store.readStream(participationStreamId('H1'))).toEqual([]);

    const [again] = await processor.processBatch([first], principal);
    expect(again).toMatchObject({ eventId: first.eventId, status: 'accepted' });
    expect((await ledger.store.readStream(participationStreamId('H1'))).map((e) => e.eventId)).toEqual([first.eventId]);
  });
});
