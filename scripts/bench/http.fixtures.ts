import { randomUUID } from 'node:crypto';

let counter = 0;
const unique = () => `${process.pid}-${(counter += 1)}`;

/** A submission as a client sends it. */
export interface Submission {
  eventId: string;
  type: string;
  occurredAt: string;
  source: string;
  data: Record<string, unknown>;
}

const submission = (type: string, data: Record<string, unknown>): Submission => ({
  eventId: randomUUID(),
  type,
  occurredAt: '2026-03-01T09:00:00+02:00',
  source: 'bench',
  data,
});

/** A new household, with its personal data (encrypted by the service under a new household key). */
export function enrolment(): Submission {
  const id = unique();
  return submission('HouseholdEnrolled', {
    householdId: `HH-${id}`,
    essnId: `ESSN-${id}`,
    governorate: 'North',
    district: 'Tripoli',
    sdcId: 'SDC-TRI-01',
    participant: { participantId: `P-${id}`, fullName: 'Rima Haddad', sex: 'F', birthDate: '1990-05-14', educationLevel: 'secondary', phone: '+961 3 123456' },
    consent: true,
  });
}

/**
 * Events four contexts accept with nothing recorded before them, one context each, for the row
 * where four clients write to four contexts at once (the path segment of each context's write route).
 */
export const CONTEXT_EVENTS: ReadonlyArray<readonly [context: string, make: () => Submission]> = [
  ['enrolment', enrolment],
  ['assessment', () => submission('MarketAssessmentCompleted', { assessmentId: `MA-${unique()}`, governorate: 'North', district: 'Tripoli', viableSectors: ['tailoring', 'food-processing'] })],
  ['asset-transfer', () => submission('AssetCatalogueItemApproved', { itemCode: `ITEM-${unique()}`, name: 'Sewing machine', category: 'sewing-embroidery', unitCostCeilingMinor: 35_000 })],
  ['training', () => submission('TrainingSessionHeld', { sessionId: `S-${unique()}`, module: 'technical', governorate: 'North', district: 'Tripoli' })],
];
