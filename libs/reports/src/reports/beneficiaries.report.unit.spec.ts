import type { StoredEvent } from '@peil/ledger';
import { MemoryReadStore, replay } from '@peil/projections';
import { beneficiariesProjection } from '../projections/beneficiaries.projection';
import { beneficiaries } from './beneficiaries.report';

const enrolled = (position: number, householdId: string, governorate: string) =>
  ({
    position, streamId: `household-${householdId}`, revision: 0, eventId: `e${position}`, type: 'HouseholdEnrolled', schemaVersion: 1,
    occurredAt: '2026-03-01T09:00:00Z', recordedAt: '2026-03-01T09:00:00Z', source: 's', actor: 'a', correlationId: 'c', causationId: null,
    data: { householdId, governorate, participant: { sex: 'F' } }, contentDigest: '', prevHash: null, hash: '',
  }) as unknown as StoredEvent;

describe('beneficiaries report: governorates as keys', () => {
  it('counts one governorate typed composed and decomposed once, under its NFC form', async () => {
    const store = new MemoryReadStore();
    const composed = 'Akk\u0101r';
    const decomposed = 'Akka\u0304r';
    await replay([enrolled(1, 'HH-1', composed), enrolled(2, 'HH-2', decomposed), enrolled(3, 'HH-3', 'North')], [beneficiariesProjection((id) => `HR-${id}`)], store);
    const report = await store.read((tx) => beneficiaries(tx));
    expect(report.funnel[0]).toMatchObject({ stage: 'enrolled', total: 3, byGovernorate: { [composed]: 2, North: 1 } });
    expect(Object.keys(report.funnel[0]!.byGovernorate)).toEqual([composed, 'North']);
  });
});
