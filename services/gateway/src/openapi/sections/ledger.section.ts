import { COMMON_ERRORS, json, ref, response } from '../components';
import type { ApiSection } from '../openapi.types';

const hexHash = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const treeFault = {
  description: 'The Merkle tree disagrees with the ledger (events removed or rewritten): `tree_integrity_fault`, until `npx peil-ledger tree rebuild`.',
  content: json(ref('ErrorBody'), { error: { code: 'tree_integrity_fault', message: 'the Merkle tree disagrees with the ledger at leaf 39 (position 40): history was rewritten' } }),
};
const sizeParam = (name: string, description: string, required = true) => ({ name, in: 'query' as const, required, description, schema: { type: 'integer', minimum: 0 } });
const text = (example: string) => ({ 'text/plain': { schema: { type: 'string' }, example } });

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
    leafIndex: { type: ['integer', 'null'], minimum: 0, description: 'The leaf of this event in the Merkle tree (the i-th event of the global log); null while the tree disagrees with the ledger.' },
  },
};

export const LEDGER_SECTION: ApiSection = {
  service: 'ledger',
  tag: { name: 'ledger', description: "The auditors' window: raw envelopes in ledger order, streams, verification of the hash chains, the personal-data access log; the transparency log over them (signed checkpoints, inclusion and consistency proofs, audit packs)." },
  paths: {
    '/v1/ledger/events': {
      get: {
        operationId: 'readLedger',
        summary: 'Events in ledger order',
        description: `Page through with \`next.after\` until \`next\` is null.`,
        tags: ['ledger'],
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
        description: `Page through with \`next.fromRevision\` until \`next\` is null.`,
        tags: ['ledger'],
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
    '/v1/ledger/checkpoint': {
      get: {
        operationId: 'ledgerCheckpoint',
        summary: 'Signed checkpoint of the Merkle tree',
        description: `A C2SP tlog-checkpoint (origin, tree size, base64 root hash) signed as a C2SP signed-note with Ed25519, as the Go checksum database and the witness network use them. Keep it: any later tree must extend it (see consistency proofs).`,
        tags: ['ledger'],
        parameters: [sizeParam('size', 'Sign the tree at this earlier size (default: the current tree).', false)],
        responses: {
          '200': { description: 'The signed note.', content: text('peil-ledger/4f1c2a9e0b7d3c55\n1234\nK3Xo…=\n\n— peil-ledger/4f1c2a9e0b7d3c55 v5FE…=\n') },
          '400': response('BadRequest'),
          '503': treeFault,
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/ledger/checkpoint/key': {
      get: {
        operationId: 'ledgerVerifierKey',
        summary: 'The verifier key of the checkpoints',
        description: `The note verifier key \`<origin>+<8 hex key hash>+<base64(0x01 ‖ Ed25519 public key)>\`. Obtain it once, out of band if you can, and check every checkpoint with it.`,
        tags: ['ledger'],
        responses: { '200': { description: 'The verifier key.', content: text('peil-ledger/4f1c2a9e0b7d3c55+bf9144d6+AWVL…') }, ...COMMON_ERRORS },
      },
    },
    '/v1/ledger/proofs/inclusion': {
      get: {
        operationId: 'ledgerInclusionProof',
        summary: 'Inclusion proof of one event',
        description: `The RFC 9162 §2.1.3 audit path of leaf \`index\` in the tree of \`size\` leaves, from the leaf up. The leaf hash is SHA-256(0x00 ‖ the 32 bytes of the event's hash).`,
        tags: ['ledger'],
        parameters: [sizeParam('index', 'The leaf (the event\'s `leafIndex`).'), sizeParam('size', 'The tree size of a checkpoint you hold.')],
        responses: {
          '200': { description: 'The proof.', content: json(ref('InclusionProof')) },
          '400': response('BadRequest'),
          '503': treeFault,
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/ledger/proofs/consistency': {
      get: {
        operationId: 'ledgerConsistencyProof',
        summary: 'Consistency proof between two tree sizes',
        description: `The RFC 9162 §2.1.4 proof that the tree of \`to\` leaves extends the tree of \`from\` leaves: what a witness checks between the checkpoint it kept and the current one.`,
        tags: ['ledger'],
        parameters: [sizeParam('from', 'The smaller tree size.'), sizeParam('to', 'The larger tree size, at most the current one.')],
        responses: {
          '200': { description: 'The proof.', content: json(ref('ConsistencyProof')) },
          '400': response('BadRequest'),
          '503': treeFault,
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/ledger/export': {
      get: {
        operationId: 'ledgerExport',
        summary: 'Audit pack (NDJSON)',
        description: `Line 1: \`{ "format": "peil-ledger-pack/1", "origin", "size", "checkpoint", "verifierKey" }\` with the signed checkpoint of the tree at \`size\`; then the first \`size\` events as \`/v1/ledger/events\` returns them (personal data stays ciphertext). Check it offline with \`npx peil-ledger verify-pack <file> --key <verifier key>\`; the key inside the pack is a hint, never to be trusted.`,
        tags: ['ledger'],
        parameters: [sizeParam('size', 'Export the first n events, with the checkpoint of that size (default: all).', false)],
        responses: {
          '200': { description: 'The pack, streamed.', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
          '400': response('BadRequest'),
          '503': treeFault,
          ...COMMON_ERRORS,
        },
      },
    },
    '/v1/ledger/verify': {
      get: {
        operationId: 'verifyLedger',
        summary: 'Verify the whole ledger',
        description: `Recomputes every hash and checks every chain, revision and position; reports the first failure.`,
        tags: ['ledger'],
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
        description: `Every read that decrypted personal data (who, when, which household, which fields), oldest first, hash-chained. Page through with \`next.after\`; each page carries the check of its entries and of its link to the entry before it (the whole chain: \`/v1/ledger/access-log/verify\`).`,
        tags: ['ledger'],
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
        description: `Recomputes every entry's hash and checks every link and sequence number; reports the first failure.`,
        tags: ['ledger'],
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
    InclusionProof: {
      type: 'object',
      required: ['index', 'size', 'leafHash', 'proof'],
      properties: { index: { type: 'integer', minimum: 0 }, size: { type: 'integer', minimum: 1 }, leafHash: hexHash, proof: { type: 'array', items: hexHash } },
    },
    ConsistencyProof: {
      type: 'object',
      required: ['from', 'to', 'proof'],
      properties: { from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 }, proof: { type: 'array', items: hexHash } },
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
