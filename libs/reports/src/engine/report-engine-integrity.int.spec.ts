import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { SqliteEventStore } from '@peil/ledger';
import { IntegrityStatus } from '@peil/platform/integrity';
import { SqliteReadStore } from '@peil/projections';
import { tamperLedgerSql, useTempLedger, writeProgrammeLedger } from '@peil/testing';
import { householdRefFunction } from './household-ref';
import { READ_MODELS, ReportRefusedError } from './read-model-integrity';
import { ReportEngine } from './report-engine';

/** An event no report counts, on a stream of its own: it only moves the ledger's head. */
async function appendNote(store: SqliteEventStore): Promise<void> {
  const data = { note: randomUUID() };
  await store.append(`note-${randomUUID()}`, [{
    eventId: randomUUID(), type: 'NoteRecorded', schemaVersion: 1, occurredAt: '2026-05-01T09:00:00.000Z', recordedAt: '2026-05-01T09:00:01.000Z',
    source: 'spec', actor: 'spec', correlationId: randomUUID(), causationId: null, data, contentDigest: `d:${data.note}`,
  }], 'no_stream');
}

/**
 * A read model whose checkpoint is ahead of the ledger, or whose last event has another hash than
 * the ledger's event at that position, is stale: live reports refuse it, reports as of a position
 * below the fault still answer from the ledger.
 */
describe('ReportEngine over a ledger cut back or rewritten behind its read models', () => {
  let readStore: SqliteReadStore;
  let integrity: IntegrityStatus;
  let engine: ReportEngine;
  let head: number;

  // Declared before the ledger: the read models close before its directory goes.
  afterEach(async () => {
    await readStore.close();
  });
  const ledger = useTempLedger('peil-report-integrity-');

  beforeEach(async () => {
    writeProgrammeLedger(ledger.store, 40);
    head = (await ledger.store.headPosition())!;
    readStore = new SqliteReadStore(join(ledger.dir, 'read-models.sqlite'));
    integrity = new IntegrityStatus();
    engine = new ReportEngine(ledger.store, readStore, householdRefFunction(randomBytes(32)), { integrity });
    expect(await engine.catchUp()).toBe(head);
    expect((await engine.report('beneficiaries', {})).ledgerPosition).toBe(head);
  });


  it('refuses live figures once the ledger is cut back below the checkpoint, naming both positions', async () => {
    tamperLedgerSql(ledger.dir, `DELETE FROM events WHERE position > ${head - 5}`);
    const refused = await engine.report('beneficiaries', {}).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ReportRefusedError);
    expect(refused).toMatchObject({ code: 'read_model_integrity_fault', message: expect.stringContaining(`checkpoint_ahead_of_ledger at position ${head}`) });
    expect((refused as Error).message).toContain(`the ledger's head is ${head - 5}`);
    expect(integrity.fault).toMatchObject({ source: READ_MODELS, position: head, reason: 'checkpoint_ahead_of_ledger' });
    // Every live report, not only the one asked first.
    await expect(engine.report('grant-statement', { period: '2026Q2' })).rejects.toMatchObject({ code: 'read_model_integrity_fault' });
    // As of a position the ledger still holds: replayed from its events, not from the read model.
    expect((await engine.report('beneficiaries', { asOf: String(head - 6) })).ledgerPosition).toBe(head - 6);
  });

  it('refuses live figures when the event at the checkpoint was replaced, though the ledger is as long as before', async () => {
    tamperLedgerSql(ledger.dir, `DELETE FROM events WHERE position = ${head}`);
    await appendNote(ledger.store);
    expect(await ledger.store.headPosition()).toBe(head);
    expect(await engine.readModelFault()).toMatchObject({ position: head, reason: 'checkpoint_hash_mismatch' });
    await expect(engine.report('indicators', {})).rejects.toMatchObject({ code: 'read_model_integrity_fault' });
  });

  it('finds nothing on an intact ledger, also after it grew', async () => {
    await appendNote(ledger.store);
    await appendNote(ledger.store);
    expect(await engine.readModelFault()).toBeUndefined();
    expect((await engine.report('beneficiaries', {})).ledgerPosition).toBe(await ledger.store.headPosition());
    expect(integrity.all).toEqual([]);
  });

  it('answers reports as of a position below a ledger fault and refuses those at or above it', async () => {
    integrity.raise('ledger-chain', { position: 10, reason: 'hash_mismatch', detail: 'changed' });
    expect((await engine.report('beneficiaries', { asOf: '9' })).ledgerPosition).toBe(9);
    await expect(engine.report('beneficiaries', { asOf: '10' })).rejects.toMatchObject({ code: 'ledger_integrity_fault' });
    await expect(engine.report('beneficiaries', {})).rejects.toMatchObject({ code: 'ledger_integrity_fault' });
  });
});
