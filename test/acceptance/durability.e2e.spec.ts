import { editLedgerBytes, get, post, removeDir, startSystem } from '@peil/testing';
import { enrolment } from './fixtures';

/** Nine processes booting on a shared 2-core machine: a start may take a minute; a deadline only bounds a broken one. */
const START_MS = 150_000;

describe('durability and tamper evidence of the embedded ledger', () => {
  it('keeps every acknowledged event through kill -9 of the whole process group', async () => {
    const first = await startSystem({ timeoutMs: START_MS });
    const acknowledged: Array<ReturnType<typeof enrolment>> = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        const batch = Array.from({ length: 5 }, () => enrolment());
        try {
          const res = await post(first, '/enrolment/events', { events: batch });
          res.body.results.forEach((r: { status: string }, i: number) => {
            if (r.status === 'accepted') acknowledged.push(batch[i]!);
          });
        } catch {
          return; // the system is gone
        }
      }
    };
    const clients = [client(), client(), client()];
    while (acknowledged.length < 60) await new Promise((r) => setTimeout(r, 20));
    await first.kill9();
    stop = true;
    await Promise.all(clients);

    const second = await startSystem({ dataDir: first.dataDir, timeoutMs: START_MS });
    try {
      for (let i = 0; i < acknowledged.length; i += 500) {
        const res = await post(second, '/enrolment/events', { events: acknowledged.slice(i, i + 500) });
        for (const r of res.body.results) expect(r.status).toBe('duplicate');
      }
      expect((await get(second, '/ledger/verify')).body).toMatchObject({ ok: true });
    } finally {
      await second.stop();
      removeDir(first.dataDir);
    }
  }, 400_000);

  it('reports exactly the position of an event whose stored bytes were changed', async () => {
    const system = await startSystem({ timeoutMs: START_MS });
    const events = Array.from({ length: 5 }, () => enrolment());
    events[2]!.data.district = 'Zgharta-Ehden';
    const res = await post(system, '/enrolment/events', { events });
    const target = res.body.results[2].position as number;
    const head = (await get(system, '/ledger/verify')).body.headPosition as number;
    await system.stop();

    // Change one byte of that event's data in the SQLite file itself, as a hex editor would — after
    // checkpointing the WAL, so the bytes edited are the ones SQLite reads (they may still sit in
    // the WAL after a stop, with a stale copy, or none, in the main file).
    expect(editLedgerBytes(system.dataDir, 'Zgharta-Ehden', 'zgharta-Ehden')).toBeGreaterThan(0);

    // Started on a tampered ledger: alive, not ready (integrity), so wait for liveness only.
    const again = await startSystem({ dataDir: system.dataDir, waitFor: 'live', timeoutMs: START_MS });
    try {
      // What the edit means: the ledger now reads the changed byte in that event, and only there.
      const stored = (await get(again, '/ledger/events?limit=1000')).body.events as Array<{ position: number; data: { district?: string } }>;
      expect(stored.filter((e) => e.data.district === 'zgharta-Ehden').map((e) => e.position)).toEqual([target]);
      expect(stored.filter((e) => e.data.district === 'Zgharta-Ehden')).toEqual([]);

      const verify = await get(again, '/ledger/verify');
      expect(verify.status).toBe(200);
      expect(verify.body).toMatchObject({ ok: false, firstFailure: { position: target, reason: 'hash_mismatch' }, headPosition: head, verifiedThrough: target - 1 });
      // Auditor endpoints keep answering after tampering is found.
      expect((await get(again, `/ledger/events?after=${target - 1}&limit=1`)).body.events[0].data.district).toBe('zgharta-Ehden');
    } finally {
      await again.stop();
      removeDir(system.dataDir);
    }
  }, 400_000);
});
