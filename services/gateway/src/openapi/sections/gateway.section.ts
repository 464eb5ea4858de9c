import { json, ref } from '../components';
import type { ApiSection } from '../openapi.types';

export const GATEWAY_SECTION: ApiSection = {
  tag: { name: 'system', description: 'The gateway itself; open without a key.' },
  paths: {
    '/v1/health': {
      get: {
        operationId: 'health',
        summary: 'Health of every service',
        description: 'Each service is asked for its health within 1 s, in parallel, and reports the components it depends on (always `event-store`; `relay`, brokers, read stores by profile). 200 only when every service answers with every component up.',
        tags: ['system'],
        security: [],
        responses: {
          '200': { description: 'All services answer.', content: json(ref('Health')) },
          '503': { description: 'A service does not answer or a component is down; `services` says which, with the reason.', content: json(ref('Health')) },
        },
      },
    },
    '/v1/docs': {
      get: {
        operationId: 'openApi',
        summary: 'This document (OpenAPI 3.1)',
        description: 'Also at /v1/docs/openapi.json; a readable page at /v1/docs/ui.',
        tags: ['system'],
        security: [],
        responses: { '200': { description: 'The OpenAPI document.', content: json({ type: 'object' }) } },
      },
    },
  },
  schemas: {
    Health: {
      type: 'object',
      required: ['ok', 'services'],
      properties: {
        ok: { type: 'boolean' },
        services: {
          type: 'object',
          additionalProperties: {
            oneOf: [
              { type: 'object', required: ['ok', 'ms'], properties: { ok: { const: true }, ms: { type: 'integer' }, components: ref('HealthComponents') } },
              { type: 'object', required: ['ok', 'error'], properties: { ok: { const: false }, error: { type: 'string' }, components: ref('HealthComponents') } },
            ],
          },
        },
      },
    },
    HealthComponents: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'ok'],
        properties: { name: { type: 'string', examples: ['event-store'] }, ok: { type: 'boolean' }, error: { type: 'string', description: 'Why it is down (credentials removed).' } },
      },
    },
  },
};
