import { COMMON_ERRORS, json, ref, response, rolesNote } from '../components';
import type { ApiSection } from '../openapi.types';

const ROLES = ['auditor', 'admin'] as const;

const storedEvent = {
  type: 'object',
  description: 'An event as the ledger holds it. Personal data stays ciphertext (`enc:v1:...`): that is what the hashes cover.',
  required: ['position', 'streamId', 'revision', 'eventId', 'type', 'schemaVersion', 'occurredAt', 'recordedAt', 'source', 'actor', 'correlationId', 'causationId', 'data', 'prevHash', 'hash'],
  properties: {
    position: { type: 'integer', minimum: 1 },
    streamId: { type: 'string' },
    revision: { type: 'integer', minimum: 0 },
    eventId: { type: 'string', format: 'uuid' },
    type: { type: 'string' },
    schemaVersion: { type: 'integer' },
    occurredAt: { type: 'string', format: 'date-time' },
    recordedAt: { type: 'string', format: 'date-time' },
    source: { type: 'string' },
    actor: { type: 'string' },
    correlationId: { type: 'string' },
    causationId: { type: ['string', 'null'] },
    data: { type: 'object' },
    prevHash: { type: ['string', 'null'], pattern: '^[0-9a-f]{64}$' },
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
};

const note = rolesNote(ROLES);

export const LEDGER_SECTION: ApiSection = {
  service: 'ledger',
  tag: { name: 'ledger', description: "The auditors' window: raw envelopes in ledger order, streams, verification of the hash chains." },
  paths: {
    '/v1/ledger/events': {
      get: {
        operationId: 'readLedger',
        summary: 'Events in ledger order',
        description: `Page through with \`next.after\` until \`next\` is null. ${note}`,
        tags: ['ledger'],
        'x-peil-roles': [...ROLES],
        parameters: [
          { name: 'after', in: 'query', description: 'Return events after this position (default: from the start).', schema: { type: 'integer', minimum: 0 } },
          { name: 'limit', in: 'query', description: 'Page size, 1 to 10,000 (default 1,000).', schema: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 } },
        ],
        responses: {
          '200': { description: 'A page of events.', content: json(ref('LedgerPage')) },
          '400': response('BadRequest'),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/ledger/streams/{streamId}': {
      get: {
        operationId: 'readStream',
        summary: 'One stream, in revision order',
        description: `Page through with \`next.fromRevision\` until \`next\` is null. ${note}`,
        tags: ['ledger'],
        'x-peil-roles': [...ROLES],
        parameters: [
          { name: 'streamId', in: 'path', required: true, schema: { type: 'string' }, description: 'e.g. household-HH-000123' },
          { name: 'fromRevision', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
          { name: 'limit', in: 'query', description: 'Page size, 1 to 10,000 (default 1,000).', schema: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 } },
        ],
        responses: {
          '200': { description: 'The stream.', content: json(ref('LedgerStream')) },
          '400': response('BadRequest'),
          '404': response('NotFound'),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/ledger/verify': {
      get: {
        operationId: 'verifyLedger',
        summary: 'Verify the whole ledger',
        description: `Recomputes every hash and checks every chain, revision and position; reports the first failure. ${note}`,
        tags: ['ledger'],
        'x-peil-roles': [...ROLES],
        responses: {
          '200': { description: 'The verification report (200 also when tampering is found: see `ok`).', content: json(ref('VerificationReport')) },
          ...COMMON_ERRORS,
        },
      },
    },
  },
  schemas: {
    StoredEvent: storedEvent,
    LedgerPage: {
      type: 'object',
      required: ['events', 'next'],
      properties: {
        events: { type: 'array', items: ref('StoredEvent') },
        next: { oneOf: [{ type: 'object', required: ['after'], properties: { after: { type: 'integer' } } }, { type: 'null' }] },
      },
    },
    LedgerStream: {
      type: 'object',
      required: ['streamId', 'events', 'next'],
      properties: {
        streamId: { type: 'string' },
        events: { type: 'array', items: ref('StoredEvent') },
        next: { oneOf: [{ type: 'object', required: ['fromRevision'], properties: { fromRevision: { type: 'integer' } } }, { type: 'null' }] },
      },
    },
    VerificationReport: {
      type: 'object',
      required: ['ok', 'checkedEvents', 'headPosition'],
      properties: {
        ok: { type: 'boolean' },
        checkedEvents: { type: 'integer', minimum: 0 },
        headPosition: { type: ['integer', 'null'] },
        firstFailure: {
          type: 'object',
          required: ['position', 'reason', 'detail'],
          properties: {
            position: { type: 'integer' },
            reason: { type: 'string', enum: ['hash_mismatch', 'chain_broken', 'revision_gap', 'position_gap', 'position_order', 'unreadable'] },
            detail: { type: 'string' },
          },
        },
      },
    },
  },
};
