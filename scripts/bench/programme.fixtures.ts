import { createHash, randomUUID } from 'node:crypto';
import type { NewEvent, SqliteEventStore } from '@peil/ledger';
import { enrolmentEvent } from './fixtures';
import { marketStreamId } from '@peil/contracts';
import { JSDF_COMPONENTS } from '../demo/finance';

/**
 * A whole programme's ledger, written straight to a SqliteEventStore (no HTTP, no deciders): the
 * events the services would have stored, valid and consistent with each other — one grant with its
 * lines, a catalogue, market assessments, households enrolled, profiled, planned, funded and
 * delivered to (each delivery paid by an expenditure consuming its commitment), training sessions
 * with their costs, surveys in three rounds, management expenditures and reversals — and, making up
 * the bulk as in the field, attendance, coaching visits, saving nudges and asset verifications.
 * Households: one per 100 events, at most the pilot's 1,500.
 */

const GRANT_ID = 'JSDF-TF0B1234';
const LINES = {
  design: 'C1.1',
  assets: 'C2.1',
  training: 'C2.2',
  coaching: 'C2.3',
  nudges: 'C2.4',
  evaluation: 'C3.1',
  management: 'C4.1',
} as const;
const CATALOGUE = [
  { itemCode: 'AGR-DRIP-01', name: 'Drip irrigation kit', category: 'agriculture', unitCostCeilingMinor: 45_000 },
  { itemCode: 'COOK-OVEN-02', name: 'Bakery oven', category: 'cooking', unitCostCeilingMinor: 60_000 },
  { itemCode: 'SEW-MACH-03', name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 },
  { itemCode: 'PAINT-SET-04', name: 'Painting tool set', category: 'painting', unitCostCeilingMinor: 12_000 },
  { itemCode: 'TOOL-BOX-05', name: 'Carpentry tool box', category: 'other-tools', unitCostCeilingMinor: 25_000 },
] as const;
const MODULES = ['business-development', 'financial-literacy', 'technical', 'coaching-group'] as const;
const BASE_TIME = Date.parse('2025-07-01T07:00:00.000Z');
/** 18 months of programme, over which the ledger's events are spread. */
const SPAN_MS = 540 * 86_400_000;

class LedgerWriter {
  private written = 0;
  constructor(private readonly store: SqliteEventStore, private readonly total: number) {}

  get count(): number {
    return this.written;
  }

  /** Appends to one stream; times advance with the count, so the ledger covers the programme's months. */
  append(streamId: string, events: Array<{ type: string; data: Record<string, unknown> }>): string[] {
    const ids: string[] = [];
    const batch = events.map(({ type, data }, i): NewEvent => {
      const at = new Date(BASE_TIME + Math.floor(((this.written + i) / this.total) * SPAN_MS)).toISOString();
      const eventId = randomUUID();
      ids.push(eventId);
      return {
        eventId, type, schemaVersion: 1, occurredAt: at, recordedAt: at, source: 'rmf-mis', actor: 'user:field-officer@peil.example.org',
        correlationId: eventId, causationId: null, data: data as NewEvent['data'],
        contentDigest: createHash('sha256').update(eventId).digest('hex'),
      };
    });
    this.store.appendSync(streamId, batch, 'any');
    this.written += batch.length;
    return ids;
  }
}

interface Household {
  id: string;
  district: string;
  items: Array<(typeof CATALOGUE)[number]>;
  deliveries: string[];
}

/** Appends a programme ledger of `events` events to an empty store; returns the count. */
export function writeProgrammeLedger(store: SqliteEventStore, events: number): number {
  // A fixture, not a measurement: no fsync per append while writing it (restored after).
  store.database.pragma('synchronous = OFF');
  try {
    return writeEvents(store, events);
  } finally {
    store.database.pragma('synchronous = FULL');
  }
}

function writeEvents(store: SqliteEventStore, events: number): number {
  const w = new LedgerWriter(store, events);
  const households = Math.max(10, Math.min(1_500, Math.floor(events / 100)));
  w.append(`grant-${GRANT_ID}`, [{ type: 'GrantAgreementSigned', data: grantAgreement() }]);
  for (const item of CATALOGUE) w.append(`catalogue-${item.itemCode}`, [{ type: 'AssetCatalogueItemApproved', data: { ...item } }]);
  const districts = ['Tripoli', 'Zgharta', 'Halba', 'Zahle', 'Baalbek', 'Saida', 'Tyre', 'Nabatieh'];
  for (const district of districts) {
    w.append(marketStreamId(district), [{ type: 'MarketAssessmentCompleted', data: { assessmentId: `MA-${district}`, governorate: 'North', district, viableSectors: ['tailoring', 'food-processing', 'agriculture', 'crafts'] } }]);
  }

  const hh: Household[] = [];
  for (let n = 0; n < households; n++) {
    const id = `HH-${String(n).padStart(6, '0')}`;
    const enrolled = enrolmentEvent(id, n);
    w.append(`household-${id}`, [{ type: 'HouseholdEnrolled', data: enrolled.data }]);
    const items = [CATALOGUE[n % CATALOGUE.length]!, CATALOGUE[(n + 2) % CATALOGUE.length]!];
    const household: Household = { id, district: String(enrolled.data.district), items, deliveries: [] };
    hh.push(household);
    const commitmentId = `CMT-${id}`;
    const kitCost = items.reduce((s, i) => s + i.unitCostCeilingMinor, 0);
    w.append(`grant-${GRANT_ID}`, [{ type: 'FundsCommitted', data: { commitmentId, budgetLine: LINES.assets, amountMinor: kitCost, reference: `plan/${id}` } }]);
    w.append(`livelihood-${id}`, [
      { type: 'SkillsProfileRecorded', data: { householdId: id, skills: ['sewing', 'bookkeeping'], yearsExperience: n % 12, preferredSector: 'tailoring' } },
      { type: 'LivelihoodPlanApproved', data: { householdId: id, planId: `PLAN-${id}`, sector: 'tailoring', assetKit: items.map((i) => ({ itemCode: i.itemCode, quantity: 1 })), trainingModules: ['business-development', 'financial-literacy'], coachingSessions: 6 } },
    ]);
    w.append(`evaluation-${id}`, [{ type: 'SurveyRecorded', data: survey(id, 'baseline', n) }]);
    // Most households get their kit; a few leave first, and their commitment is released.
    if (n % 25 === 24) {
      w.append(`household-${id}`, [{ type: 'HouseholdWithdrawn', data: { householdId: id, reason: 'moved abroad' } }]);
      w.append(`grant-${GRANT_ID}`, [{ type: 'CommitmentReleased', data: { commitmentId, amountMinor: kitCost } }]);
      continue;
    }
    for (const [k, item] of items.entries()) {
      const deliveryId = `DLV-${id}-${k}`;
      const lbp = (n + k) % 3 === 0;
      const unitCostUsd = item.unitCostCeilingMinor - 500 - (n % 7) * 100;
      const paid = lbp ? { unitCostMinor: unitCostUsd * 895, currency: 'LBP', fxRateToUsd: '89500' } : { unitCostMinor: unitCostUsd, currency: 'USD' };
      const [deliveredEventId] = w.append(`assets-${id}`, [
        { type: 'AssetDelivered', data: { deliveryId, householdId: id, itemCode: item.itemCode, quantity: 1, serialNumbers: [`SN-${n}-${k}`], supplier: 'Tripoli Trading SARL', invoiceRef: `INV-${n}-${k}`, ...paid } },
      ]);
      w.append(`grant-${GRANT_ID}`, [
        { type: 'ExpenditureRecorded', data: { expenditureId: `EXP-${deliveryId}`, budgetLine: LINES.assets, amountMinor: paid.unitCostMinor, currency: paid.currency, ...(lbp ? { fxRateToUsd: '89500' } : {}), payee: 'Tripoli Trading SARL', documentRef: `INV-${n}-${k}`, relatedEventId: deliveredEventId } },
        { type: 'CommitmentReleased', data: { commitmentId, amountMinor: item.unitCostCeilingMinor } },
      ]);
      w.append(`assets-${id}`, [{ type: 'AssetReceiptAcknowledged', data: { deliveryId, method: 'otp' } }]);
      household.deliveries.push(deliveryId);
    }
  }

  // Training sessions, one per ten households and module, each paid from its line.
  const sessions: Array<{ id: string; module: (typeof MODULES)[number] }> = [];
  for (let s = 0; s < Math.max(4, Math.floor(households / 10)) * MODULES.length; s++) {
    const module = MODULES[s % MODULES.length]!;
    const id = `SES-${String(s).padStart(5, '0')}`;
    sessions.push({ id, module });
    w.append(`session-${id}`, [{ type: 'TrainingSessionHeld', data: { sessionId: id, module, governorate: 'North', district: districts[s % districts.length], costMinor: 4_475_000, currency: 'LBP', fxRateToUsd: '89500' } }]);
    w.append(`grant-${GRANT_ID}`, [{ type: 'ExpenditureRecorded', data: { expenditureId: `session-${id}`, budgetLine: module === 'coaching-group' ? LINES.coaching : LINES.training, amountMinor: 4_475_000, currency: 'LBP', fxRateToUsd: '89500', payee: 'Training provider', documentRef: `SES-INV-${s}` } }]);
  }

  // Management expenditures, one in ten reversed; midline and endline rounds.
  for (let m = 0; m < Math.max(5, Math.floor(households / 10)); m++) {
    const expenditureId = `EXP-MGT-${m}`;
    w.append(`grant-${GRANT_ID}`, [{ type: 'ExpenditureRecorded', data: { expenditureId, budgetLine: LINES.management, amountMinor: 25_000 + m, currency: 'USD', payee: 'Audit firm', documentRef: `MGT-${m}` } }]);
    if (m % 10 === 9) w.append(`grant-${GRANT_ID}`, [{ type: 'ExpenditureReversed', data: { expenditureId, reason: 'duplicate invoice' } }]);
  }
  for (const round of ['midline', 'endline'] as const) {
    for (const [n, h] of hh.entries()) if (n % 25 !== 24) w.append(`evaluation-${h.id}`, [{ type: 'SurveyRecorded', data: survey(h.id, round, n) }]);
  }

  // The bulk: what field teams record week after week, household by household, 500 a batch.
  let cursor = 0;
  while (w.count < events) {
    const n = cursor++ % hh.length;
    const h = hh[n]!;
    if (n % 25 === 24) continue; // withdrawn
    const batch: Array<{ type: string; data: Record<string, unknown> }> = [];
    for (let k = 0; k < Math.min(500, events - w.count); k++) {
      const r = (cursor * 31 + k) % 20;
      const session = sessions[(cursor + k) % sessions.length]!;
      if (r < 6) batch.push({ type: 'TrainingAttended', data: { sessionId: session.id, householdId: h.id, module: session.module, inPlan: session.module !== 'technical' } });
      else if (r < 10) batch.push({ type: 'CoachingVisitRecorded', data: { visitId: `CV-${cursor}-${k}`, householdId: h.id } });
      else if (r < 19) batch.push({ type: 'SavingsNudgeSent', data: { nudgeId: `N-${cursor}-${k}`, householdId: h.id, channel: (['sms', 'whatsapp', 'voice'] as const)[k % 3], template: 'save-weekly-v2' } });
      else batch.push({ type: 'AssetVerified', data: { deliveryId: h.deliveries[k % h.deliveries.length]!, status: k % 9 === 0 ? 'not-in-use' : 'in-use' } });
    }
    // Verifications belong to the household's assets stream, the rest to its participation stream.
    const verifications = batch.filter((e) => e.type === 'AssetVerified');
    const participation = batch.filter((e) => e.type !== 'AssetVerified');
    if (participation.length > 0) w.append(`participation-${h.id}`, participation);
    if (verifications.length > 0) w.append(`assets-${h.id}`, verifications);
  }
  return w.count;
}

function grantAgreement(): Record<string, unknown> {
  return {
    grantId: GRANT_ID, donor: 'Japan Social Development Fund', administrator: 'World Bank', recipient: 'René Moawad Foundation',
    currency: 'USD', amountMinor: 270_700_000, startDate: '2025-07-01', closingDate: '2027-06-30', components: JSDF_COMPONENTS,
  };
}

function survey(householdId: string, round: 'baseline' | 'midline' | 'endline', n: number): Record<string, unknown> {
  const lift = round === 'baseline' ? 0 : round === 'midline' ? 2_000 : 4_500;
  return {
    surveyId: `SRV-${householdId}-${round}`, householdId, round, monthlyIncomeMinor: (12_000 + (n % 9) * 1_500 + lift) * 895, savingsMinor: (n % 5) * 1_000 * 895,
    currency: 'LBP', fxRateToUsd: '89500', businessOperating: round !== 'baseline' && n % 3 !== 0, employed: n % 4 === 0,
  };
}
