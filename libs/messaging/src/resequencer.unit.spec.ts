import fc from 'fast-check';
import type { StoredEvent } from '@peil/ledger';
import { Resequencer } from './resequencer';

/** Only what the re-sequencer looks at; the rest of the envelope is carried along untouched. */
const event = (position: number, streamId: string): StoredEvent =>
  ({ position, streamId, eventId: `e${position}`, revision: 0 }) as unknown as StoredEvent;

interface Message {
  event: StoredEvent;
  prev: number | null;
}

/**
 * A ledger (positions increasing, with gaps as on EventStoreDB) spread over partitions by stream,
 * each partition in ledger order as the relay writes it, with at-least-once copies (a republished
 * message lands again later in its partition), then consumed in an arbitrary interleaving.
 */
const scenario = fc
  .record({
    gaps: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 60 }),
    streams: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 60, maxLength: 60 }),
    partitions: fc.integer({ min: 1, max: 6 }),
    copies: fc.array(fc.record({ of: fc.nat(), later: fc.nat() }), { maxLength: 10 }),
    schedule: fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
    startAt: fc.nat(),
  })
  .map(({ gaps, streams, partitions, copies, schedule, startAt }) => {
    let position = 0;
    const ledger = gaps.map((gap, i) => event((position += gap), `stream-${streams[i]!}`));
    const queues: Message[][] = Array.from({ length: partitions }, () => []);
    ledger.forEach((e, i) => {
      const partition = Number(e.streamId.slice('stream-'.length)) % partitions;
      queues[partition]!.push({ event: e, prev: i === 0 ? null : ledger[i - 1]!.position });
    });
    for (const { of, later } of copies) {
      const queue = queues[of % partitions]!;
      if (queue.length === 0) continue;
      const original = queue[of % queue.length]!;
      const at = queue.indexOf(original) + 1 + (later % (queue.length - queue.indexOf(original)));
      queue.splice(at, 0, original);
    }
    const arrivals: Message[] = [];
    let turn = 0;
    while (queues.some((q) => q.length > 0)) {
      const choice = schedule[turn++ % schedule.length]!;
      const nonEmpty = queues.filter((q) => q.length > 0);
      arrivals.push(nonEmpty[choice % nonEmpty.length]!.shift()!);
    }
    // A subscriber resuming somewhere in the ledger (or from its start).
    const from = startAt % (ledger.length + 1);
    const after = from === 0 ? null : ledger[from - 1]!.position;
    return { ledger, arrivals, after, expected: ledger.slice(from) };
  });

describe('Resequencer', () => {
  it('turns any interleaving of per-partition ordered streams, with copies, into the ledger order after the start, once each', () => {
    fc.assert(
      fc.property(scenario, ({ arrivals, after, expected }) => {
        const resequencer = new Resequencer(after);
        const delivered = arrivals.flatMap((m) => resequencer.push(m.event, m.prev));
        expect(delivered.map((e) => e.position)).toEqual(expected.map((e) => e.position));
        expect(resequencer.buffered).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('holds back an event until its predecessor arrives, then releases the run', () => {
    const r = new Resequencer(null);
    expect(r.push(event(7, 'b'), 4)).toEqual([]);
    expect(r.push(event(4, 'a'), 2)).toEqual([]);
    expect(r.buffered).toBe(2);
    expect(r.push(event(2, 'a'), null).map((e) => e.position)).toEqual([2, 4, 7]);
    expect(r.position).toBe(7);
    expect(r.push(event(4, 'a'), 2)).toEqual([]);
  });

  it('refuses two different events that claim the same predecessor', () => {
    const r = new Resequencer(10);
    r.push(event(13, 'a'), 12);
    expect(() => r.push({ ...event(14, 'b') }, 12)).toThrow(/both follow position 12/);
  });
});
