import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NewEvent } from '@peil/ledger';
import { tamperLedgerSql, testEvent, useTempLedger } from '@peil/testing';
import { IntegrityMonitor, LEDGER_CHAIN } from './integrity.monitor';
import { IntegrityStatus } from './integrity.status';

let n = 0;
const event = (): NewEvent => testEvent(++n, 'monitor-spec');

describe('IntegrityMonitor (SQLite ledger, rounds run by hand)', () => {
  const ledger = useTempLedger('peil-monitor-');
  let pointFile: string;

  beforeEach(async () => {
    pointFile = join(ledger.dir, 'integrity', 'enrolment.verified.json');
    for (let i = 0; i < 5; i++) await ledger.store.append(`household-${i % 2}`, [event()], i < 2 ? 'no_stream' : Math.floor(i / 2) - 1);
  });

  const monitor = (status: IntegrityStatus, pageSize = 2) => new IntegrityMonitor(ledger.store, status, { intervalMs: 1000, pointFile, pageSize });

  it('is not ready until the first round verified the ledger, then keeps the verified point on disk', async () => {
    const status = new IntegrityStatus();
    await expect(status.check()).rejects.toThrow(/not verified yet/);
    const m = monitor(status);
    await m.round();
    await expect(status.check()).resolves.toBeUndefined();
    const [fifth] = await ledger.store.readAll(4, 1);
    expect(JSON.parse(readFileSync(pointFile, 'utf8'))).toEqual({ position: 5, hash: fifth!.hash });
    // A later round of many pages (pages of 2 here) never marks it as verifying again: readiness does not flap.
    for (let i = 0; i < 5; i++) await ledger.store.append(`burst-${i}`, [event()], 'no_stream');
    const progress = jest.spyOn(status, 'progress');
    await m.round();
    expect(progress).not.toHaveBeenCalled();
    expect(JSON.parse(readFileSync(pointFile, 'utf8'))).toMatchObject({ position: 10 });
  });

  it('finds a changed event appended since the last round, naming its position', async () => {
    const status = new IntegrityStatus();
    const m = monitor(status);
    await m.round();
    await ledger.store.append('household-9', [event(), event()], 'no_stream');
    tamperLedgerSql(ledger.dir, "UPDATE events SET data = replace(data, '\"n\":', '\"m\":') WHERE position = 7");
    await m.round();
    expect(status.fault).toMatchObject({ source: LEDGER_CHAIN, position: 7, reason: 'hash_mismatch' });
    await expect(status.check()).rejects.toThrow(/^hash_mismatch at position 7 \(ledger-chain\)/);
  });

  it('at start, finds a ledger cut back while the process was stopped, although what remains verifies', async () => {
    await monitor(new IntegrityStatus()).round();
    tamperLedgerSql(ledger.dir, 'DELETE FROM events WHERE position > 2');
    const status = new IntegrityStatus();
    await monitor(status).round();
    expect(status.fault).toMatchObject({ position: 5, reason: 'ledger_cut_back' });
    expect(status.fault?.detail).toMatch(/head is 2.*earlier run/);
    // Nothing lower is written over the point that was verified.
    expect(JSON.parse(readFileSync(pointFile, 'utf8'))).toMatchObject({ position: 5 });
  });

  it('at start, verifies from the first event: a change below the persisted point is found too', async () => {
    await monitor(new IntegrityStatus()).round();
    tamperLedgerSql(ledger.dir, "UPDATE events SET data = replace(data, '\"n\":', '\"m\":') WHERE position = 2");
    const status = new IntegrityStatus();
    await monitor(status).round();
    expect(status.fault).toMatchObject({ position: 2, reason: 'hash_mismatch' });
  });

  it('runs the other registered checks on each round; a check that cannot run is not a fault', async () => {
    const status = new IntegrityStatus();
    let answer: 'ok' | 'fault' | 'throw' = 'throw';
    status.register('read-models', async () => {
      if (answer === 'throw') throw new Error('read store unreachable');
      return answer === 'fault' ? { position: 9, reason: 'checkpoint_ahead_of_ledger', detail: 'checkpoint 9, head 5' } : undefined;
    });
    const warnings: string[] = [];
    const m = new IntegrityMonitor(ledger.store, status, { intervalMs: 1000, log: { warn: (w) => warnings.push(w) } });
    await m.round();
    expect(status.fault).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('read store unreachable')]);
    answer = 'fault';
    await m.round();
    expect(status.all).toEqual([{ source: 'read-models', position: 9, reason: 'checkpoint_ahead_of_ledger', detail: 'checkpoint 9, head 5' }]);
    // Without a point file nothing is written.
    expect(existsSync(join(ledger.dir, 'integrity'))).toBe(false);
  });
});
