import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get, post, removeDir, startSystem } from '@peil/testing';
import { enrolment } from './fixtures';

describe('durability and tamper evidence of the embedded ledger', () => {
  it('keeps every acknowledged event through kill -9 of the whole process group', async () => {
    const first = await startSystem();
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

    const second = await startSystem({ dataDir: first.dataDir });
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
  }, 120_000);

  it('reports exactly the position of an event whose stored bytes were changed', async () => {
    const system = await startSystem();
    const events = Array.from({ length: 5 }, () => enrolment());
    events[2]!.data.district = 'Zgharta-Ehden';
    const res = await post(system, '/enrolment/events', { events });
    const target = res.body.results[2].position as number;
    await system.stop();

    // Change one byte of that event's data in the SQLite file itself, as a hex editor would.
    // Every copy: SQLite leaves stale cell images in the free space of pages it split (the row's
    // length decides where), and only the live one matters; which one that is, the verifier must find.
    const file = join(system.dataDir, 'ledger.sqlite');
    const bytes = readFileSync(file);
    const needle = Buffer.from('Zgharta-Ehden');
    let copies = 0;
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1), copies++) bytes[at] = 'z'.charCodeAt(0);
    expect(copies).toBeGreaterThan(0);
    writeFileSync(file, bytes);

    const again = await startSystem({ dataDir: system.dataDir });
    try {
      const verify = await get(again, '/ledger/verify');
      expect(verify.status).toBe(200);
      expect(verify.body).toMatchObject({ ok: false, firstFailure: { position: target, reason: 'hash_mismatch' } });
      // Auditor endpoints keep answering after tampering is found.
      expect((await get(again, `/ledger/events?after=${target - 1}&limit=1`)).body.events[0].data.district).toBe('zgharta-Ehden');
    } finally {
      await again.stop();
      removeDir(system.dataDir);
    }
  }, 120_000);
});
