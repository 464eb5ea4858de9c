import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonValue, StoredEvent } from '@peil/ledger';
import { MemoryReadStore, replay } from '@peil/projections';
import { repoRoot } from '@peil/testing';
import { XMLParser } from 'fast-xml-parser';
import { grantStatementProjection } from '../projections/grant-statement.projection';
import { budgetPeriods } from './iati-periods';
import { iati, IatiNotConfiguredError } from './iati.report';

/**
 * The IATI document checked with tools nobody here wrote: the IATI 2.03 XML Schema through xmllint,
 * and the IATI rulesets' activity rules that apply to what we publish (4.1.1 language, 7.5.3
 * budget periods), re-implemented below from the rulesets' definitions.
 */
const schemaDir = process.env.PEIL_IATI_SCHEMA_DIR ?? join(repoRoot, '..', 'shared', 'iati', '2.03');
const publisher = { ref: 'LB-COA-1234', type: '22', name: 'René Moawad Foundation' };

let position = 0;
const event = (type: string, data: Record<string, JsonValue>, occurredAt: string): StoredEvent => {
  position += 1;
  return {
    position, streamId: `grant-G1`, revision: position - 1, eventId: `e-${position}`, type, schemaVersion: 1, occurredAt, recordedAt: occurredAt,
    source: 'test', actor: 'test', correlationId: 'c', causationId: null, data, prevHash: null, hash: '0'.repeat(64),
  };
};

async function document(lines: Array<{ code: string; name: string; allocationMinor: number }>, more: StoredEvent[] = []): Promise<string> {
  position = 0;
  const amountMinor = lines.reduce((s, l) => s + l.allocationMinor, 0);
  const events = [
    event('GrantAgreementSigned', {
      grantId: 'JSDF-PEIL', donor: 'Japan Social Development Fund', administrator: 'World Bank', recipient: 'René Moawad Foundation',
      organisationRefs: { administrator: 'XM-DAC-44000' }, currency: 'USD', amountMinor, startDate: '2025-07-01', closingDate: '2027-06-30',
      components: [{ code: 'C2', name: 'Implementation', budgetLines: lines.map((l) => ({ ...l, purpose: 'assets' })) }],
    }, '2025-07-01T09:00:00+03:00'),
    event('FundsCommitted', { commitmentId: 'plan-P1', budgetLine: lines[0]!.code, amountMinor: 35_000, reference: 'kit of plan P1' }, '2025-09-01T09:00:00+03:00'),
    event('ExpenditureRecorded', { expenditureId: 'X1', budgetLine: lines[0]!.code, amountMinor: 2_900_000, currency: 'LBP', fxRateToUsd: '89500', payee: 'مؤسسة الخياطة <Tripoli> & Sons', documentRef: 'INV-1' }, '2025-10-15T10:00:00+03:00'),
    event('CommitmentReleased', { commitmentId: 'plan-P1', amountMinor: 35_000 }, '2025-10-15T10:00:00+03:00'),
    ...more,
  ];
  const store = new MemoryReadStore();
  await replay(events, [grantStatementProjection], store);
  return store.read((tx) => iati(tx, { generatedAt: '2025-10-15T07:00:00.000Z', publisher }));
}

function xmllint(xml: string): { ok: boolean; output: string } {
  const schema = join(schemaDir, 'iati-activities-schema.xsd');
  if (!existsSync(schema)) throw new Error(`IATI 2.03 schema not found at ${schema}: the schema files sit in ../shared/iati/2.03 beside the clone, or set PEIL_IATI_SCHEMA_DIR`);
  const dir = mkdtempSync(join(tmpdir(), 'peil-iati-'));
  try {
    const file = join(dir, 'iati.xml');
    writeFileSync(file, xml);
    try {
      return { ok: true, output: execFileSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8', stdio: 'pipe' }) };
    } catch (err) {
      return { ok: false, output: String((err as { stderr?: string }).stderr ?? err) };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const parse = (xml: string) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false, isArray: (n) => ['iati-activity', 'budget', 'transaction', 'narrative', 'participating-org'].includes(n) }).parse(xml);

/** Rule 4.1.1: an activity declares a default language, or every narrative declares its own. */
function languageRule(activity: any): boolean {
  if (activity['@xml:lang']) return true;
  const narratives: any[] = [];
  const walk = (node: any) => {
    if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) (k === 'narrative' ? narratives.push(...(v as any[])) : walk(v));
  };
  walk(activity);
  return narratives.every((n) => typeof n === 'object' && n['@xml:lang']);
}

/** Rule 7.5.3: no budget period longer than one year (the rulesets' time_limit: at most 365 days between start and end). */
const days = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;

describe('IATI activity document', () => {
  const lines = [
    { code: 'C2.1', name: 'Phase 1 -- pilot', allocationMinor: 112_500_000 },
    { code: 'C2.2', name: 'التدريب على الأعمال', allocationMinor: 40_000_001 },
  ];

  it('validates against the IATI 2.03 schema, with a line named "Phase 1 -- pilot" and one in Arabic', async () => {
    const xml = await document(lines);
    const result = xmllint(xml);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('passes the activity rules for language (4.1.1) and budget period (7.5.3)', async () => {
    const doc = parse(await document(lines));
    for (const activity of doc['iati-activities']['iati-activity']) {
      expect(languageRule(activity)).toBe(true);
      for (const budget of activity.budget) expect(days(budget['period-start']['@iso-date'], budget['period-end']['@iso-date'])).toBeLessThanOrEqual(365);
    }
  });

  it('names the configured reporting organisation, and parties only by the identifiers the agreement gives', async () => {
    const activity = parse(await document(lines))['iati-activities']['iati-activity'][0];
    expect(activity['reporting-org']).toMatchObject({ '@ref': 'LB-COA-1234', '@type': '22' });
    expect(activity['iati-identifier']).toBe('LB-COA-1234-PEIL-JSDF-PEIL');
    const refs = activity['participating-org'].map((o: any) => o['@ref'] ?? null);
    expect(refs).toEqual([null, 'XM-DAC-44000', null]);
    expect(JSON.stringify(activity)).not.toContain('XM-DAC-903');
  });

  it('spreads each line over grant years that add up to its allocation, to the cent', async () => {
    const activity = parse(await document(lines))['iati-activities']['iati-activity'][0];
    const cents = (v: string) => Math.round(Number(v) * 100);
    for (const line of lines) {
      const periods = budgetPeriods('2025-07-01', '2027-06-30', line.allocationMinor);
      expect(periods.map((p) => [p.start, p.end])).toEqual([['2025-07-01', '2026-06-30'], ['2026-07-01', '2027-06-30']]);
      expect(periods.reduce((s, p) => s + p.amountMinor, 0)).toBe(line.allocationMinor);
    }
    const total = activity.budget.reduce((s: number, b: any) => s + cents(b.value['#text']), 0);
    expect(total).toBe(112_500_000 + 40_000_001);
  });

  it('takes budgets from the approved work plans when there are any: one per line and fiscal year, valid and at most a year', async () => {
    const plan = (fiscalYearStart: string, budgets: Array<{ budgetLine: string; period: string; amountMinor: number }>) =>
      event('WorkPlanBudgetApproved', { grantId: 'JSDF-PEIL', fiscalYearStart, approvalRef: 'WB-NOL', budgets }, '2025-07-10T09:00:00+03:00');
    // Built after the other events so that their positions follow.
    position = 4;
    const plans = [
      plan('2025-01-01', [{ budgetLine: 'C2.1', period: '2025Q3', amountMinor: 100_000 }, { budgetLine: 'C2.1', period: '2025Q4', amountMinor: 250_000 }, { budgetLine: 'C2.2', period: '2025Q4', amountMinor: 7 }]),
      plan('2026-01-01', [{ budgetLine: 'C2.1', period: '2026Q2', amountMinor: 1_000 }]),
    ];
    const xml = await document(lines, plans);
    expect(xmllint(xml)).toEqual({ ok: true, output: '' });
    const budgets = parse(xml)['iati-activities']['iati-activity'][0].budget.map((b: any) => [b['period-start']['@iso-date'], b['period-end']['@iso-date'], b.value['#text']]);
    expect(budgets).toEqual([['2025-07-01', '2025-12-31', '3500.00'], ['2026-01-01', '2026-12-31', '10.00'], ['2025-07-01', '2025-12-31', '0.07']]);
  });

  it('reports a released commitment as a negative commitment adjustment', async () => {
    const activity = parse(await document(lines))['iati-activities']['iati-activity'][0];
    const commitments = activity.transaction.filter((t: any) => t['transaction-type']['@code'] === '2').map((t: any) => t.value['#text']);
    expect(commitments).toEqual(['350.00', '-350.00']);
    const expenditure = activity.transaction.find((t: any) => t['transaction-type']['@code'] === '4');
    expect(expenditure.value['#text']).toBe('32.40');
    expect(expenditure.description.narrative[0]['#text'] ?? expenditure.description.narrative[0]).toContain('مؤسسة الخياطة <Tripoli> & Sons');
  });

  it('is refused, naming the variables, when no reporting organisation is configured', async () => {
    const store = new MemoryReadStore();
    await expect(store.read((tx) => iati(tx, { generatedAt: '2025-01-01T00:00:00.000Z', publisher: null }))).rejects.toThrow(IatiNotConfiguredError);
    await expect(store.read((tx) => iati(tx, { generatedAt: '2025-01-01T00:00:00.000Z', publisher: null }))).rejects.toThrow(/PEIL_IATI_REPORTING_ORG_REF/);
  });
});
