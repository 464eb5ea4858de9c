import { ASSESSMENT_EVENT_SCHEMAS, ASSET_TRANSFER_EVENT_SCHEMAS, EVALUATION_EVENT_SCHEMAS, TRAINING_EVENT_SCHEMAS } from '@peil/contracts';
import { eventsEndpoint } from '../components';
import type { ApiSection } from '../openapi.types';
import { readRoute } from './read-route';

function section(service: string, description: string, events: Parameters<typeof eventsEndpoint>[0]['events'], extra: ApiSection['paths'] = {}): ApiSection {
  const endpoint = eventsEndpoint({ context: service, events });
  return {
    service,
    tag: { name: service, description },
    paths: {
      ...endpoint.paths,
      [`/v1/${service}/households/{householdId}`]: readRoute({ tag: service, operationId: `get${service.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Household`, summary: `A household's ${service} state`, params: ['householdId'] }),
      ...extra,
    },
    schemas: endpoint.schemas,
  };
}

export const ASSESSMENT_SECTION = section(
  'assessment',
  'Market assessments by district, skills profiles, livelihood plans. Approving a plan commits its kit cost on the assets budget line (insufficient_funds otherwise).',
  ASSESSMENT_EVENT_SCHEMAS,
  { '/v1/assessment/markets/{district}': readRoute({ tag: 'assessment', operationId: 'getMarketAssessment', summary: 'The newest market assessment of a district', params: ['district'] }) },
);

export const ASSET_TRANSFER_SECTION = section(
  'asset-transfer',
  'The asset catalogue, deliveries, receipts and verifications. Each delivery becomes exactly one expenditure on the assets line.',
  ASSET_TRANSFER_EVENT_SCHEMAS,
  { '/v1/asset-transfer/catalogue': readRoute({ tag: 'asset-transfer', operationId: 'getAssetCatalogue', summary: 'Approved catalogue items with their unit cost ceilings' }) },
);

export const TRAINING_SECTION = section(
  'training',
  'Training sessions (a session with a cost becomes one expenditure on the training or coaching line), attendance, coaching visits, saving nudges.',
  TRAINING_EVENT_SCHEMAS,
);

export const EVALUATION_SECTION = section(
  'evaluation',
  'Baseline, midline and endline surveys: one per round per household, midline and endline after a baseline, endline no earlier than PEIL_ENDLINE_MIN_MONTHS after enrolment.',
  EVALUATION_EVENT_SCHEMAS,
);
