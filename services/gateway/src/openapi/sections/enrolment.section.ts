import { ENROLMENT_EVENT_ROLES, ENROLMENT_EVENT_SCHEMAS } from '@peil/contracts';
import { COMMON_ERRORS, eventsEndpoint, json, ref, response } from '../components';
import type { ApiSection } from '../openapi.types';

const example = {
  events: [
    {
      eventId: '6f1c2a7e-8b1d-4c5e-9f3a-2d4b6c8e0a1f',
      type: 'HouseholdEnrolled',
      occurredAt: '2026-03-01T09:00:00+02:00',
      source: 'rmf-mis',
      actor: 'field-officer-7',
      data: {
        householdId: 'HH-000123',
        essnId: 'ESSN-88231',
        governorate: 'North',
        district: 'Tripoli',
        sdcId: 'SDC-TRI-01',
        participant: {
          participantId: 'P-000123',
          fullName: 'Rima Haddad',
          sex: 'F',
          birthDate: '1990-05-14',
          educationLevel: 'secondary',
          phone: '+961 3 123456',
        },
        consent: true,
      },
    },
  ],
};

const eventRoles = ENROLMENT_EVENT_ROLES;
const events = eventsEndpoint({
  context: 'enrolment',
  events: ENROLMENT_EVENT_SCHEMAS,
  eventRoles,
  example,
});

export const ENROLMENT_SECTION: ApiSection = {
  service: 'enrolment',
  tag: { name: 'enrolment', description: 'Households and their participants: enrolment, replacement, withdrawal, erasure of personal data.' },
  paths: {
    ...events.paths,
    '/v1/enrolment/households/{householdId}': {
      get: {
        operationId: 'getHousehold',
        summary: "A household's current state",
        description: `Personal data (ESSN id, name, birth date, phone) is shown in clear to ngo and supervisor, \`[redacted]\` for the others, and \`[erased]\` for everyone once the household's personal data was erased. Every read that decrypts is recorded in the personal-data access log (\`GET /v1/ledger/access-log\`).`,
        tags: ['enrolment'],
        parameters: [{ name: 'householdId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The household.', content: json(ref('Household')) },
          '404': response('NotFound'),
          ...COMMON_ERRORS,
        },
      },
    },
  },
  schemas: {
    ...events.schemas,
    Household: {
      type: 'object',
      required: ['householdId', 'status', 'revision'],
      properties: {
        householdId: { type: 'string' },
        status: { type: 'string', examples: ['active', 'withdrawn'] },
        essnId: { type: 'string', description: 'In clear for ngo and supervisor; `[redacted]` or `[erased]` otherwise.' },
        governorate: { type: 'string' },
        district: { type: 'string' },
        sdcId: { type: 'string' },
        participant: { type: 'object', description: 'The current participant; personal fields redacted for roles that may not see them.' },
        enrolledAt: { type: 'string' },
        participantHistory: { type: 'array', items: { type: 'object' } },
        withdrawn: { type: 'object', description: 'Present once the household is withdrawn.' },
        personalDataErased: {
          type: 'object',
          description: 'Present once the personal data was erased (HouseholdPersonalDataErased): its data key is destroyed.',
          properties: { at: { type: 'string' }, reason: { type: 'string' }, requestedBy: { type: 'string' } },
        },
        revision: { type: 'integer', minimum: 0, description: 'Revision of the household stream this state reflects.' },
      },
    },
  },
};
