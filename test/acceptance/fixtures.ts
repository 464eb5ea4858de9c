import { randomUUID } from 'node:crypto';

let counter = 0;

/** A valid HouseholdEnrolled submission; `over` replaces data fields. */
export function enrolment(over: Record<string, unknown> = {}, participant: Record<string, unknown> = {}) {
  counter += 1;
  const id = `${Date.now().toString(36)}${counter}`;
  return {
    eventId: randomUUID(),
    type: 'HouseholdEnrolled',
    occurredAt: '2026-03-01T09:00:00+02:00',
    source: 'rmf-mis',
    actor: 'field-officer-7',
    data: {
      householdId: `HH-${id}`,
      essnId: `ESSN-${id}`,
      governorate: 'North',
      district: 'Tripoli',
      sdcId: 'SDC-TRI-01',
      participant: {
        participantId: `P-${id}`,
        fullName: 'Rima Haddad',
        sex: 'F',
        birthDate: '1990-05-14',
        educationLevel: 'secondary',
        phone: '+961 3 123456',
        ...participant,
      },
      consent: true,
      ...over,
    },
  };
}

/** The birth date of someone aged `years` on 1 March 2026. */
export const bornYearsBefore = (years: number) => `${2026 - years}-01-15`;

/** A reporting organisation for the IATI report (unset, it answers 503 iati_not_configured). */
export const IATI_PUBLISHER_ENV = {
  PEIL_IATI_REPORTING_ORG_REF: 'LB-COA-1234',
  PEIL_IATI_REPORTING_ORG_TYPE: '22',
  PEIL_IATI_REPORTING_ORG_NAME: 'René Moawad Foundation',
};
