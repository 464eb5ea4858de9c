import { CATALOGUE_STREAM_ID, livelihoodStreamId } from '@peil/contracts';
import { countingReads, storedEvent as stored, useTempLedger, type ReadCounter } from '@peil/testing';
import { DEFAULT_ASSESSMENT_POLICY } from '../domain/assessment-policy';
import { AssessmentReads } from './context-reads';

const item = (unitCostCeilingMinor: number) => stored('AssetCatalogueItemApproved', { itemCode: 'SEW-01', name: 'Sewing machine', category: 'equipment', unitCostCeilingMinor });

describe('AssessmentReads.livelihood', () => {
  const ledger = useTempLedger('peil-livelihood-');
  let reads: ReadCounter;
  beforeEach(() => {
    reads = countingReads(ledger.store);
  });

  it('prices a plan at the ceilings in force when it was approved, and later reads cost only the new events', async () => {
    const assessment = new AssessmentReads(reads.store, DEFAULT_ASSESSMENT_POLICY);
    await ledger.store.append(CATALOGUE_STREAM_ID, [item(35_000)], 'no_stream');
    await ledger.store.append(livelihoodStreamId('H1'), [
      stored('SkillsProfileRecorded', { householdId: 'H1' }),
      stored('LivelihoodPlanApproved', { householdId: 'H1', planId: 'P1', sector: 'tailoring', assetKit: [{ itemCode: 'SEW-01', quantity: 2 }], trainingModules: [] }),
    ], 'no_stream');
    await ledger.store.append(CATALOGUE_STREAM_ID, [item(40_000)], 0);

    const { livelihood, expectedRevision } = await assessment.livelihood('H1');
    expect(expectedRevision).toBe(1);
    expect(livelihood.plan).toMatchObject({ planId: 'P1', unitCeilings: { 'SEW-01': 35_000 }, kitCostMinor: 70_000 });
    expect(await assessment.catalogue()).toEqual(new Map([['SEW-01', 40_000]]));

    // A later skills profile keeps the priced plan; the read costs the livelihood stream's re-checked
    // event and the new one, and the catalogue's re-checked last event.
    await ledger.store.append(livelihoodStreamId('H1'), [stored('SkillsProfileRecorded', { householdId: 'H1', note: 'updated' })], 1);
    reads.reset();
    const later = await assessment.livelihood('H1');
    expect(reads.streamEvents).toBe(3);
    expect(later.livelihood.plan).toMatchObject({ unitCeilings: { 'SEW-01': 35_000 }, kitCostMinor: 70_000 });
    expect(later.livelihood.skills).toMatchObject({ note: 'updated' });
  });
});
