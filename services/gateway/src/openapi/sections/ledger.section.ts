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
    source: { type: 'string', description: 'What the client says sent the event (its claim; defaults to `<role>:<keyId>`).' },
    actor: { type: 'string', description: 'Who the client says did it (its claim).' },
    principal: {
      type: 'object',
      description:
        'Who the ledger authenticated for this event, covered by the hash: the API key (`via: http`), the Kafka producer (`via: kafka`), or the service itself (`via: system`, keyId `service:<name>`). A follow-up recorded by another service carries its submitter. Absent on events recorded before principals were.',
      required: ['keyId', 'role', 'via'],
      properties: {
        keyId: { type: 'string', description: 'The key id `peil-ledger keys list` shows, the Kafka principal name, or `service:<name>`.' },
        role: { type: 'string' },
        via: { type: 'string', enum: ['http', 'kafka', 'system'] },
      },
    },
    correlationId: { type: 'string' },
    causationId: { type: ['string', 'null'] },
    data: { type: 'object' },
    prevHash: { type: ['string', 'null'], pattern: '^[0-9a-f]{64}$' },
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
};

const note = rolesNote(ROLES);
const ACCESS_LOG_ROLES = ['auditor'] as const;
const accessLogNote = rolesNote(ACCESS_LOG_ROLES);

export const LEDGER_SECTION: ApiSection = {
  service: 'ledger',
  tag: { name: 'ledger', description: "The auditors' window: raw envelopes in ledger order, streams, verification of the hash chains, and the personal-data access log." },
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
    '/v1/ledger/access-log': {
      get: {
        operationId: 'readAccessLog',
        summary: 'Personal-data access log',
        description: `Every read that decrypted personal data (who, when, which household, which fields), oldest first, hash-chained. Page through with \`next.after\`; each page carries the check of its entries and of its link to the entry before it (the whole chain: \`/v1/ledger/access-log/verify\`). ${accessLogNote}`,
        tags: ['ledger'],
        'x-peil-roles': [...ACCESS_LOG_ROLES],
        parameters: [
          { name: 'after', in: 'query', description: 'Return entries after this sequence number (default 0: from the start).', schema: { type: 'integer', minimum: 0 } },
          { name: 'limit', in: 'query', description: 'Page size, 1 to 10,000 (default 1,000).', schema: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 } },
        ],
        responses: {
          '200': { description: 'A page of entries and the verification of the chain.', content: json(ref('AccessLogPage')) },
          '400': response('BadRequest'),
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/ledger/access-log/verify': {
      get: {
        operationId: 'verifyAccessLog',
        summary: 'Verify the personal-data access log',
        description: `Recomputes every entry's hash and checks every link and sequence number; reports the first failure. ${accessLogNote}`,
        tags: ['ledger'],
        'x-peil-roles': [...ACCESS_LOG_ROLES],
        responses: {
          '200': { description: 'The verification (200 also when tampering is found: see `ok`).', content: json(ref('AccessLogVerification')) },
          ...COMMON_ERRORS,
        },
      },
    },
  },
  schemas: {
    AccessLogEntry: {
      type: 'object',
      description: 'One read that decrypted personal data: who, when, which household and which fields. Never the data itself.',
      required: ['seq', 'at', 'principal', 'role', 'requestId', 'householdId', 'fields', 'prevHash', 'hash'],
      properties: {
        seq: { type: 'integer', minimum: 1 },
        at: { type: 'string', format: 'date-time' },
        principal: { type: 'string', description: 'The caller as the gateway identified it: `<role>:<api key id>`.' },
        role: { type: 'string' },
        requestId: { type: 'string' },
        householdId: { type: 'string' },
        fields: { type: 'array', items: { type: 'string' }, examples: [['essnId', 'participant.fullName']] },
        prevHash: { type: ['string', 'null'], pattern: '^[0-9a-f]{64}$', description: 'hash of the previous entry (null for the first).' },
        hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the canonical JSON of the entry without `hash`.' },
      },
    },
    AccessLogVerification: {
      type: 'object',
      required: ['ok', 'checkedEntries', 'lastSeq'],
      properties: {
        ok: { type: 'boolean' },
        checkedEntries: { type: 'integer', minimum: 0 },
        lastSeq: { type: ['integer', 'null'] },
        firstFailure: {
          type: 'object',
          required: ['seq', 'reason', 'detail'],
          properties: {
            seq: { type: 'integer' },
            reason: { type: 'string', enum: ['hash_mismatch', 'chain_broken', 'sequence_gap', 'unreadable'] },
            detail: { type: 'string' },
          },
        },
      },
    },
    AccessLogPage: {
      type: 'object',
      required: ['entries', 'next', 'verification'],
      properties: {
        entries: { type: 'array', items: ref('AccessLogEntry') },
        next: { oneOf: [{ type: 'object', required: ['after'], properties: { after: { type: 'integer' } } }, { type: 'null' }] },
        verification: { ...ref('AccessLogVerification'), description: "This page checked: every entry's hash, every link, and the link to the entry before the page. The whole chain: `/v1/ledger/access-log/verify`." },
      },
    },
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
      required: ['ok', 'checkedEvents', 'headPosition', 'verifiedThrough'],
      properties: {
        ok: { type: 'boolean' },
        checkedEvents: { type: 'integer', minimum: 0 },
        headPosition: { type: ['integer', 'null'], description: "The ledger's head, also when verification stopped at a failure before it." },
        verifiedThrough: { type: ['integer', 'null'], description: 'The last position that verified.' },
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
