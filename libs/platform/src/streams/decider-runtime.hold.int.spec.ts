import { randomUUID } from 'node:crypto';
import { CoachingVisitRecorded, TRAINING_EVENT_SCHEMAS, householdStatusView, householdStreamId, participationStreamId } from '@peil/contracts';
import { storedEvent as stored, useTempLedger, visitsDecider } from '@peil/testing';
import type { Principal } from '../auth/roles.guard';
import { ManualClock } from '../clock/clock';
import { SubmissionProcessor } from '../submissions/submission-processor';
import { DeciderRuntime } from './decider-runtime';
import { PublishedReader } from './published-reader';

const principal = { role: 'ngo', name: 'spec', requestId: '' } as Principal;
const HOLDS = 'holds';

/**
 * A definition's `holdFor`: what an accepted command must hold elsewhere, from the same inputs the
 * decider saw, handed to the handler's reserve step (here: a `Held` event on a holds stream of the
 * same ledger) before the append; nothing for a rejected command.
 */
describe('DeciderRuntime with a hold and a reserve step', () => {
  const ledger = useTempLedger('peil-runtime-hold-');
  const inputTypes: string[] = [];
  let processor: SubmissionProcessor;

  beforeEach(async () => {
    const store = ledger.store;
    const households = new PublishedReader(store, householdStatusView);
    const runtime = new DeciderRuntime(store, {
      streamId: (v) => participationStreamId(v.householdId),
      decider: visitsDecider(),
      events: TRAINING_EVENT_SCHEMAS,
      inputs: async (v, command) => {
        inputTypes.push(command.type);
        return { household: await households.read(v.householdId) };
      },
      holdFor: (command, context) => ({ visitId: command.data.visitId, district: context.household.status === 'unknown' ? '' : context.household.district }),
    });
    const reserve = {
      reserve: async (s: { eventId: string }, hold: { visitId: string; district: string }) => {
        await store.append(HOLDS, [{ ...stored('Held', hold), eventId: `hold-${s.eventId}` }], 'any');
        return undefined;
      },
      release: async () => {},
    };
    processor = new SubmissionProcessor(store, { CoachingVisitRecorded: { ...runtime.handler(CoachingVisitRecorded), reserve } }, Buffer.alloc(32, 1), new ManualClock(new Date('2026-03-05T08:00:00.000Z')));
    await store.append(householdStreamId('H1'), [stored('HouseholdEnrolled', { householdId: 'H1', essnId: 'E1', governorate: 'North', district: 'Tripoli', sdcId: 'S', participant: {} })], 'no_stream');
  });

  const visit = (visitId: string, householdId = 'H1') => ({ eventId: randomUUID(), type: 'CoachingVisitRecorded', occurredAt: '2026-03-02T09:00:00.000Z', data: { visitId, householdId } });

  it('reserves the hold of an accepted command, from the inputs it was decided with, before its event', async () => {
    const accepted = visit('V1');
    expect(await processor.processOne(accepted, principal)).toMatchObject({ status: 'accepted' });
    const [held] = await ledger.store.readStream(HOLDS);
    expect(held).toMatchObject({ eventId: `hold-${accepted.eventId}`, data: { visitId: 'V1', district: 'Tripoli' } });
    expect(held!.position).toBeLessThan((await ledger.store.findByEventId(accepted.eventId))!.position);
    expect(inputTypes.at(-1)).toBe('CoachingVisitRecorded');
  });

  it('holds nothing for a rejected command', async () => {
    await processor.processOne(visit('V1'), principal);
    expect(await processor.processOne(visit('V1'), principal)).toMatchObject({ status: 'rejected', error: { code: 'duplicate_visit' } });
    expect(await processor.processOne(visit('V2', 'H9'), principal)).toMatchObject({ status: 'rejected', error: { code: 'household_not_found' } });
    expect((await ledger.store.readStream(HOLDS)).map((e) => e.data)).toEqual([{ visitId: 'V1', district: 'Tripoli' }]);
  });
});
