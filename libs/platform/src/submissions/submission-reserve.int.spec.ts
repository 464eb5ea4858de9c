import { randomUUID } from 'node:crypto';
import { holdsWriteLock, type EventStore } from '@peil/ledger';
import { storedEvent, useTempLedger } from '@peil/testing';
import { z } from 'zod';
import type { Principal } from '../auth/roles.guard';
import { ManualClock } from '../clock/clock';
import { apiError } from '../http/error-body';
import { SubmissionProcessor } from './submission-processor';
import type { ReserveStep, SubmissionHandler, ValidSubmission } from './submission-handler';

const principal = { role: 'ngo', name: 'spec', requestId: '' } as Principal;
const Booking = z.object({ room: z.string(), nights: z.number().int() });
type Booking = z.infer<typeof Booking>;
const HOLDS = 'holds';

/**
 * A booking holds nights on a shared `holds` stream (standing in for another context) before it is
 * recorded: held at most 3, idempotent by eventIds derived from the booking's. `interfere` runs
 * inside the first reserve only: another writer moving the room's stream between decision and append.
 */
function reserveStep(store: EventStore, interfere?: () => Promise<void>): ReserveStep<Booking, { nights: number }> & { holds: number[] } {
  const holds: number[] = [];
  return {
    holds,
    async reserve(s, hold) {
      holds.push(hold.nights);
      if (hold.nights > 3) return apiError('insufficient_funds', `cannot hold ${hold.nights} nights`);
      if (!(await store.findByEventId(`hold-${s.eventId}`))) await store.append(HOLDS, [{ ...storedEvent('Held', { nights: hold.nights }), eventId: `hold-${s.eventId}` }], 'any');
      const once = interfere;
      interfere = undefined;
      await once?.();
      return undefined;
    },
    async release(s) {
      if (!(await store.findByEventId(`hold-${s.eventId}`)) || (await store.findByEventId(`release-${s.eventId}`))) return;
      await store.append(HOLDS, [{ ...storedEvent('Released', {}), eventId: `release-${s.eventId}` }], 'any');
    },
  };
}

/** One booking per room: decided on the room's stream, read fresh; the hold is the nights booked. */
function bookings(store: EventStore, reserve: ReserveStep<Booking, { nights: number }>): SubmissionHandler<Booking, { nights: number }> {
  return {
    schema: Booking,
    reserve,
    async decide(s: ValidSubmission<Booking>) {
      const stream = await store.readStream(`room-${s.data.room}`);
      if (stream.some((e) => e.type === 'Booked')) return { kind: 'reject', error: apiError('room_taken', `room ${s.data.room} is booked`, 'data.room') };
      return {
        kind: 'append',
        streamId: `room-${s.data.room}`,
        expectedRevision: stream.length === 0 ? 'no_stream' : stream.length - 1,
        events: [{ eventId: s.eventId, type: s.type, occurredAt: s.occurredAt, data: s.data }],
        hold: { nights: s.data.nights },
      };
    },
  };
}

const book = (room: string, nights: number) => ({ eventId: randomUUID(), type: 'Booked', occurredAt: '2026-03-01T09:00:00Z', data: { room, nights } });
const types = async (store: EventStore, streamId: string) => (await store.readStream(streamId)).map((e) => e.type);

describe('SubmissionProcessor reserve step (between a pure decision and its append)', () => {
  const ledger = useTempLedger('peil-reserve-');
  const processorWith = (reserve: ReserveStep<Booking, { nights: number }>) =>
    new SubmissionProcessor(ledger.store, { Booked: bookings(ledger.store, reserve) }, Buffer.alloc(32, 1), new ManualClock(new Date('2026-03-01T08:00:00Z')));

  it('holds what the decision names before the event is appended', async () => {
    const step = reserveStep(ledger.store);
    const booking = book('101', 2);
    expect(await processorWith(step).processOne(booking, principal)).toMatchObject({ status: 'accepted', streamId: 'room-101' });
    expect(step.holds).toEqual([2]);
    const [held] = await ledger.store.readStream(HOLDS);
    expect(held!.position).toBeLessThan((await ledger.store.findByEventId(booking.eventId))!.position);
  });

  it('rejects with the reserve step\'s error and writes nothing when the hold is refused', async () => {
    const step = reserveStep(ledger.store);
    expect(await processorWith(step).processOne(book('102', 4), principal)).toMatchObject({ status: 'rejected', error: { code: 'insufficient_funds' } });
    expect(await ledger.store.headPosition()).toBeNull();
  });

  it('releases the hold when the re-decision after a concurrency conflict rejects (compensation)', async () => {
    const step = reserveStep(ledger.store, async () => {
      await ledger.store.append('room-103', [storedEvent('Booked', { room: '103', nights: 1 })], 'no_stream');
    });
    const booking = book('103', 2);
    expect(await processorWith(step).processOne(booking, principal)).toMatchObject({ status: 'rejected', error: { code: 'room_taken', path: 'data.room' } });
    expect(await types(ledger.store, HOLDS)).toEqual(['Held', 'Released']);
    expect(await ledger.store.findByEventId(booking.eventId)).toBeNull();
  });

  it('reserves again after a conflict the re-decision survives, finding the same hold (one hold, one event)', async () => {
    const step = reserveStep(ledger.store, async () => {
      await ledger.store.append('room-104', [storedEvent('Cleaned', { room: '104' })], 'no_stream');
    });
    const booking = book('104', 3);
    const processor = processorWith(step);
    expect(await processor.processOne(booking, principal)).toMatchObject({ status: 'accepted', revision: 1 });
    expect(step.holds).toEqual([3, 3]);
    expect(await types(ledger.store, HOLDS)).toEqual(['Held']);
    // Resubmitted: answered from the ledger, neither decided nor reserved again.
    expect(await processor.processOne(booking, principal)).toMatchObject({ status: 'duplicate' });
    expect(step.holds).toEqual([3, 3]);
  });

  it('releases what an earlier attempt held when the reserve step refuses after a conflict', async () => {
    const step = reserveStep(ledger.store, async () => {
      await ledger.store.append('room-106', [storedEvent('Cleaned', { room: '106' })], 'no_stream');
    });
    // The second attempt's hold is refused, as a grant answers a commitment held before with another amount.
    const refusing = { ...step, reserve: async (s: ValidSubmission<Booking>, hold: { nights: number }) => (step.holds.length > 0 ? apiError('conflict', 'held before with other content') : step.reserve(s, hold)) };
    const booking = book('106', 2);
    expect(await processorWith(refusing).processOne(booking, principal)).toMatchObject({ status: 'rejected', error: { code: 'conflict' } });
    expect(await types(ledger.store, HOLDS)).toEqual(['Held', 'Released']);
    expect(await ledger.store.findByEventId(booking.eventId)).toBeNull();
  });

  it('releases nothing when a rejected submission never held anything', async () => {
    await ledger.store.append('room-105', [storedEvent('Booked', { room: '105', nights: 1 })], 'no_stream');
    expect(await processorWith(reserveStep(ledger.store)).processOne(book('105', 1), principal)).toMatchObject({ status: 'rejected', error: { code: 'room_taken' } });
    expect(await ledger.store.readStream(HOLDS)).toEqual([]);
  });

  it('with group commit, decides an event with a reserve step outside the units, and the others in them', async () => {
    const step = reserveStep(ledger.store);
    const inUnit: boolean[] = [];
    const watched = { ...step, reserve: async (s: ValidSubmission<Booking>, hold: { nights: number }) => (inUnit.push(holdsWriteLock()), step.reserve(s, hold)) };
    const noted = { schema: z.object({ room: z.string() }), decide: async (s: ValidSubmission<{ room: string }>) => ({ kind: 'append' as const, streamId: `notes-${s.data.room}`, expectedRevision: 'any' as const, events: [{ eventId: s.eventId, type: s.type, occurredAt: s.occurredAt, data: s.data }] }) };
    const processor = new SubmissionProcessor(ledger.store, { Booked: bookings(ledger.store, watched), Noted: noted }, Buffer.alloc(32, 1), new ManualClock(new Date('2026-03-01T08:00:00Z')), { groupCommit: true });
    const note = (room: string) => ({ eventId: randomUUID(), type: 'Noted', occurredAt: '2026-03-01T09:00:00Z', data: { room } });
    const results = await processor.processBatch([note('201'), book('201', 1), note('202'), note('203'), book('202', 2)], principal);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    // Inside a unit the reserve step's call to the other context would hold the ledger's write lock.
    expect(inUnit).toEqual([false, false]);
    expect(await types(ledger.store, HOLDS)).toEqual(['Held', 'Held']);
  });
});
