import { ROLES } from '@peil/platform/auth';
import { json, ref, response } from '../components';
import type { ApiSection, Operation, PathItem } from '../openapi.types';

/** A GET route of the gateway itself, open without a key (the routes of PUBLIC_ROUTES). */
const openGet = ({ operationId, summary, description, responses }: Pick<Operation, 'operationId' | 'summary' | 'description' | 'responses'>): PathItem => ({
  get: { operationId, summary, ...(description === undefined ? {} : { description }), tags: ['system'], security: [], responses },
});

/** The health probes answer one body (Health), 200 when their verdict is good and 503 when not. */
const probe = (ok: string, down: string): Operation['responses'] => ({
  '200': { description: ok, content: json(ref('Health')) },
  '503': { description: down, content: json(ref('Health')) },
});

export const GATEWAY_SECTION: ApiSection = {
  tag: { name: 'system', description: 'The gateway itself: health, readiness and this document open without a key; `/v1/me` with any key; metrics for admins.' },
  paths: {
    '/v1/health': openGet({
      operationId: 'health',
      summary: 'Liveness of every service, with the state of each component',
      description:
        'Each service is asked within 1 s, in parallel, and reports the components it depends on (always `event-store` and `integrity`; `relay`, brokers, read stores by profile). 200 while every service process answers, even when a component is down (e.g. `integrity` after tampering is found): the body says which, with the reason.',
      responses: probe('Every service answers; `ready` says whether every component is up.', 'A service does not answer; `services` says which.'),
    }),
    '/v1/ready': openGet({
      operationId: 'ready',
      summary: 'Readiness: every service answers with every component up',
      description: 'The same probe and body as /v1/health. 503 while any service does not answer or reports any component down — `integrity` included: the ledger failed verification, or a read model is ahead of it.',
      responses: probe('Ready.', 'Not ready; `services` says which service and component, with the reason.'),
    }),
    '/v1/docs': openGet({
      operationId: 'openApi',
      summary: 'This document (OpenAPI 3.1)',
      description: 'Also at /v1/docs/openapi.json; a readable page at /v1/docs/ui.',
      responses: { '200': { description: 'The OpenAPI document.', content: json({ type: 'object' }) } },
    }),
    '/v1/docs/openapi.json': openGet({
      operationId: 'openApiFile',
      summary: 'This document again, under a file name tools expect',
      responses: { '200': { description: 'The OpenAPI document.', content: json({ type: 'object' }) } },
    }),
    '/v1/docs/ui': openGet({
      operationId: 'openApiPage',
      summary: 'This document as a readable page (no scripts from elsewhere)',
      responses: { '200': { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } },
    }),
    '/v1/me': {
      get: {
        operationId: 'whoAmI',
        summary: 'The role and key id of the calling API key',
        description: 'What a client needs to show only what its role may read (the dashboard does). Never the key itself.',
        tags: ['system'],
        responses: {
        '200': { description: 'The caller.', content: json(ref('Caller')) },
          '401': response('Unauthenticated'),
          '429': response('TooManyRequests'),
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics of the gateway and every service, merged',
        description: 'The Prometheus text exposition format; each service is scraped when this is asked.',
        tags: ['system'],
        responses: {
        '200': { description: 'The metrics.', content: { 'text/plain': { schema: { type: 'string' } } } },
          '401': response('Unauthenticated'),
          '403': response('Forbidden'),
          '429': response('TooManyRequests'),
        },
      },
    },
  },
  schemas: {
    Caller: {
      type: 'object',
      required: ['keyId', 'role'],
      additionalProperties: false,
      properties: { keyId: { type: 'string', description: 'The id the key registry and the access log know the key by.', examples: ['f2fe5e3b39'] }, role: { enum: [...ROLES] } },
    },
    Health: {
      type: 'object',
      required: ['ok', 'live', 'ready', 'services'],
      properties: {
        ok: { type: 'boolean', description: "This route's verdict: `live` on /v1/health, `ready` on /v1/ready." },
        live: { type: 'boolean', description: 'Every service process answers.' },
        ready: { type: 'boolean', description: 'Every service answers with every component up.' },
        services: {
          type: 'object',
          additionalProperties: {
            oneOf: [
              { type: 'object', required: ['live', 'ok', 'ms'], properties: { live: { const: true }, ok: { const: true }, ms: { type: 'integer' }, components: ref('HealthComponents') } },
              { type: 'object', required: ['live', 'ok', 'ms', 'error'], properties: { live: { const: true }, ok: { const: false }, ms: { type: 'integer' }, error: { type: 'string' }, components: ref('HealthComponents') } },
              { type: 'object', required: ['live', 'ok', 'error'], properties: { live: { const: false }, ok: { const: false }, error: { type: 'string' } } },
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
