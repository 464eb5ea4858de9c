import { usePerTestBacking } from '@peil/testing';
import { ManualClock } from '../clock/clock';
import { hashAccessEntry, type AccessLog, type AccessLogEntry, type AccessRecord } from './access-log';

/** One stored log (a file, a collection) that several AccessLog instances may open. */
export interface AccessLogBacking {
  open(clock: ManualClock): Promise<AccessLog>;
  /** Changes a stored entry as an intruder with write access could, around any append-only guard. */
  alter(seq: number, change: Partial<Omit<AccessLogEntry, 'seq'>>): Promise<void>;
  remove(seq: number): Promise<void>;
  cleanup(): Promise<void>;
}

const read = (householdId: string, principal = 'ngo:0a1b2c3d4e'): AccessRecord => ({
  principal,
  role: principal.split(':')[0]!,
  requestId: `req-${householdId}`,
  householdId,
  fields: ['essnId', 'participant.fullName'],
});

/**
 * What every AccessLog adapter must do (run by sqlite-access-log.int.spec.ts and
 * mongo-access-log.int.spec.ts): one hash chain across writers, and every alteration, removal or
 * re-hashed forgery found by verify and verifyPage at its sequence number.
 */
export function accessLogContract(name: string, setup: () => Promise<AccessLogBacking>): void {
  describe(`${name} (AccessLog contract)`, () => {
    const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
    const suite = usePerTestBacking<AccessLogBacking, AccessLog>(setup);
    const open = () => suite.open((backing) => backing.open(clock));
    const fill = async (log: AccessLog, n: number) => {
      for (let i = 1; i <= n; i++) await log.record(read(`HH-${i}`));
    };

    it('chains entries: each carries the previous hash and a hash of its own content, time from the clock', async () => {
      const log = await open();
      const first = await log.record(read('HH-1'));
      clock.advance(60_000);
      const second = await log.record(read('HH-2', 'supervisor:ffeeddccbb'));
      expect(first).toMatchObject({ seq: 1, at: '2026-03-01T08:00:00.000Z', prevHash: null, principal: 'ngo:0a1b2c3d4e', role: 'ngo', householdId: 'HH-1' });
      expect(second).toMatchObject({ seq: 2, at: '2026-03-01T08:01:00.000Z', prevHash: first.hash, role: 'supervisor' });
      const { hash, ...rest } = second;
      expect(hashAccessEntry(rest)).toBe(hash);
      expect(await log.page(0, 10)).toEqual([first, second]);
      expect(await log.page(1, 10)).toEqual([second]);
      expect(await log.verify()).toEqual({ ok: true, checkedEntries: 2, lastSeq: 2 });
    });

    it('is one chain across several writers, also when they append at the same moment', async () => {
      const [a, b] = [await open(), await open()];
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).record(read(`HH-${i}`))));
      expect(await a.verify()).toEqual({ ok: true, checkedEntries: 10, lastSeq: 10 });
      expect((await b.page(0, 100)).map((e) => e.householdId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `HH-${i}`).sort());
    });

    it('detects an altered entry (hash_mismatch) at its sequence number', async () => {
      const log = await open();
      await fill(log, 3);
      await suite.backing.alter(2, { principal: 'auditor:innocent' });
      expect(await log.verify()).toEqual({ ok: false, checkedEntries: 1, lastSeq: 1, firstFailure: { seq: 2, reason: 'hash_mismatch', detail: expect.any(String) } });
    });

    it('detects an entry removed from the middle', async () => {
      const log = await open();
      await fill(log, 4);
      await suite.backing.remove(2);
      expect((await log.verify()).firstFailure).toMatchObject({ seq: 3, reason: 'sequence_gap' });
    });

    it('detects an entry whose hash was recomputed after altering it, at the next entry', async () => {
      const log = await open();
      await fill(log, 3);
      const [, second] = await log.page(0, 3);
      const { hash: _old, ...unhashed } = { ...second!, householdId: 'HH-other' };
      await suite.backing.alter(2, { householdId: 'HH-other', hash: hashAccessEntry(unhashed) });
      expect((await log.verify()).firstFailure).toMatchObject({ seq: 3, reason: 'chain_broken' });
    });

    it('checks a page on its own: its entries, and its link to the entry before it', async () => {
      const log = await open();
      await fill(log, 6);
      expect(await log.verifyPage(2, await log.page(2, 2))).toEqual({ ok: true, checkedEntries: 2, lastSeq: 4 });
      expect(await log.verifyPage(0, await log.page(0, 3))).toEqual({ ok: true, checkedEntries: 3, lastSeq: 3 });
      expect(await log.verifyPage(99, [])).toMatchObject({ ok: false, firstFailure: { seq: 99, reason: 'sequence_gap' } });

      await suite.backing.alter(2, { hash: 'f00d' }); // entry 2 altered: page 3–4 no longer links to it
      expect(await log.verifyPage(2, await log.page(2, 2))).toMatchObject({ ok: false, firstFailure: { seq: 3, reason: 'chain_broken' } });
      expect(await log.verifyPage(4, await log.page(4, 2))).toEqual({ ok: true, checkedEntries: 2, lastSeq: 6 });
      await suite.backing.alter(5, { fields: ['participant.phone'] });
      expect(await log.verifyPage(4, await log.page(4, 2))).toMatchObject({ ok: false, firstFailure: { seq: 5, reason: 'hash_mismatch' } });
    });
  });
}
