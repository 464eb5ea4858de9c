import { randomUUID } from 'node:crypto';
import { CoachingVisitRecorded, TRAINING_EVENT_SCHEMAS, participationStreamId, reject, type Outcome, type TrainingEvent } from '@peil/contracts';
import { storedEvent as stored, useTempLedger } from '@peil/testing';
import type { Principal } from '../auth/roles.guard';
import { derivedEventId } from '../ids/derived-event-id';
import { DeciderRuntime, type StreamDefinition } from './decider-runtime';

const ON = '2026-03-02T09:00:00.000Z';
const meta = { principal: { role: 'ngo', name: 'spec', requestId: '' } as Principal, now: new Date(ON) };
type Visit = CoachingVisitRecorded;
type Inputs = { owner: string | undefined };

/**
 * A visit decider that, for a visit named "with-nudge", adds a nudge beside it (as the grant adds a
 * commitment drawn down by an expenditure), and accepts a visit of no stream when told to (a bug
 * the runtime must refuse to write).
 */
const visits = (acceptWithoutStream = false): StreamDefinition<Set<string>, Visit, TrainingEvent, Inputs>['decider'] => ({
  initialState: () => new Set<string>(),
  evolve: (ids, e) => (e.type === 'CoachingVisitRecorded' ? ids.add(e.data.visitId) : ids),
  decide: (command, ids, context): Outcome<TrainingEvent> => {
    if (context.owner === undefined && !acceptWithoutStream) return reject('household_not_found', 'no household', 'data.householdId');
    if (ids.has(command.data.visitId)) return reject('duplicate_visit', 'again', 'data.visitId');
    const nudge = { nudgeId: `N-${command.data.visitId}`, householdId: command.data.householdId, channel: 'sms' as const, template: 'after-visit' };
    return { ok: true, events: [{ type: 'CoachingVisitRecorded', data: command.data }, ...(command.data.visitId === 'with-nudge' ? [{ type: 'SavingsNudgeSent' as const, data: nudge }] : [])] };
  },
});

/** The runtime's per-definition options, read from the decision it hands the processor (nothing is appended here). */
describe('DeciderRuntime options on a SQLite ledger', () => {
  const ledger = useTempLedger('peil-runtime-options-');
  const runtime = (acceptWithoutStream = false) =>
    new DeciderRuntime<Set<string>, Visit, TrainingEvent, Inputs>(ledger.store, {
      // The stream comes from what the inputs read: households named "NOBODY" have none.
      streamId: (_v, { owner }) => (owner === undefined ? undefined : participationStreamId(owner)),
      decider: visits(acceptWithoutStream),
      events: TRAINING_EVENT_SCHEMAS,
      inputs: async (v, command) => ({ owner: v.householdId === 'NOBODY' || command.type !== 'CoachingVisitRecorded' ? undefined : v.householdId }),
      condition: (command) => (command.data.visitId === 'with-nudge' ? { category: 'participation', lastPositionSeen: null } : undefined),
      stored: async (data) => ({ ...data, stored: true }),
    });
  const submission = (visitId: string, householdId = 'H1') => ({ eventId: randomUUID(), type: 'CoachingVisitRecorded', occurredAt: ON, data: { visitId, householdId }, source: 'spec', actor: 'spec' });

  it('gives an event the decision adds an id derived from the submission\'s, adds the condition, and stores each event in its stored form', async () => {
    const s = submission('with-nudge');
    const decision = await runtime().handler(CoachingVisitRecorded).decide(s, meta);
    expect(decision).toEqual({
      kind: 'append',
      streamId: participationStreamId('H1'),
      expectedRevision: 'no_stream',
      condition: { category: 'participation', lastPositionSeen: null },
      events: [
        { eventId: s.eventId, type: 'CoachingVisitRecorded', occurredAt: ON, data: { visitId: 'with-nudge', householdId: 'H1', stored: true } },
        { eventId: derivedEventId(s.eventId, 'SavingsNudgeSent'), type: 'SavingsNudgeSent', occurredAt: ON, data: { nudgeId: 'N-with-nudge', householdId: 'H1', channel: 'sms', template: 'after-visit', stored: true } },
      ],
    });
    const plain = await runtime().handler(CoachingVisitRecorded).decide(submission('V1'), meta);
    expect(plain).not.toHaveProperty('condition');
  });

  it('decides a command that names no stream on the initial state, and refuses to write it if the decider accepts it', async () => {
    expect(await runtime().handler(CoachingVisitRecorded).decide(submission('V1', 'NOBODY'), meta)).toMatchObject({ kind: 'reject', error: { code: 'household_not_found' } });
    await expect(runtime(true).handler(CoachingVisitRecorded).decide(submission('V1', 'NOBODY'), meta)).rejects.toThrow(/names no stream/);
  });

  it('folds afresh after forget(), to the same state', async () => {
    await ledger.store.append(participationStreamId('H1'), [stored('CoachingVisitRecorded', { visitId: 'V1', householdId: 'H1' })], 'no_stream');
    const r = runtime();
    const before = await r.aggregate(participationStreamId('H1'));
    expect((await r.aggregate(participationStreamId('H1'))).state).toBe(before.state);
    r.forget();
    const after = await r.aggregate(participationStreamId('H1'));
    expect(after.state).not.toBe(before.state);
    expect(after).toEqual({ ...before, state: new Set(['V1']) });
  });
});
