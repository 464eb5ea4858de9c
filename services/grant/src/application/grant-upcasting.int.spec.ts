import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grantStreamId } from '@peil/contracts';
import { SqliteEventStore, verifyLedger, type NewEvent } from '@peil/ledger';
import { decide } from '../domain/grant.decider';
import { GrantRegistry } from './grant-registry';
import { GrantStreams } from './grant.streams';

/** An agreement recorded before disbursement categories existed (schema version 1) still folds, on a real ledger. */
describe('a version-1 grant agreement in the ledger', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peil-grant-upcast-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    const at = '2025-07-01T06:00:00.000Z';
    const v1: NewEvent = {
      eventId: randomUUID(), type: 'GrantAgreementSigned', schemaVersion: 1, occurredAt: at, recordedAt: at, source: 'v1', actor: 'finance', correlationId: randomUUID(), causationId: null,
      data: {
        grantId: 'OLD', donor: 'JSDF', administrator: 'World Bank', recipient: 'RMF', currency: 'USD', amountMinor: 300, startDate: '2025-07-01', closingDate: '2027-06-30',
        components: [{ code: 'C1', name: 'Design', budgetLines: [{ code: 'OLD-1', name: 'A', allocationMinor: 100 }, { code: 'OLD-2', name: 'B', allocationMinor: 200, purpose: 'assets' }] }],
      },
      contentDigest: 'v1',
    };
    await store.append(grantStreamId('OLD'), [v1], 'no_stream');
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('folds with one default category holding every line, and takes decisions as any grant', async () => {
    const { grant, expectedRevision } = await new GrantStreams(store, new GrantRegistry(store)).load('OLD');
    expect(expectedRevision).toBe(0);
    if (grant.status !== 'signed') throw new Error('not signed');
    expect(grant.disbursementCategories).toEqual([{ code: '1', name: 'All eligible expenditures of the grant', budgetLines: ['OLD-1', 'OLD-2'] }]);
    const { directory } = await new GrantRegistry(store).current();
    expect(directory.lineOwners.get('OLD-2')).toBe('OLD');
    const outcome = decide(
      { type: 'FundsReceived', occurredAt: '2025-08-01T09:00:00+03:00', data: { receiptId: 'R1', grantId: 'OLD', kind: 'advance', withdrawalApplicationRef: 'WA-1', valueDate: '2025-08-01', amountMinor: 300, currency: 'USD' } },
      { grant, directory },
    );
    expect(outcome.ok).toBe(true);
  });

  it('is left exactly as recorded: upcasting never rewrites the ledger', async () => {
    const [stored] = await store.readStream(grantStreamId('OLD'));
    expect(stored).toMatchObject({ schemaVersion: 1 });
    expect(stored!.data).not.toHaveProperty('disbursementCategories');
    expect((await verifyLedger(store)).ok).toBe(true);
  });
});
