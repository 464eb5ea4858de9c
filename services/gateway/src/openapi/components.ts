import { z } from 'zod';
import { type Role } from '@peil/platform/auth';
import { MAX_EVENTS_PER_REQUEST, submittedEventSchema } from '@peil/platform/submissions';
import type { ApiSection, JsonSchema, Operation, Reference, ResponseObject } from './openapi.types';

/** Building blocks shared by every section: references, the error shape, event submission. */

export const ref = (name: string): Reference => ({ $ref: `#/components/schemas/${name}` });
export const response = (name: ErrorResponseName): Reference => ({ $ref: `#/components/responses/${name}` });

export const json = (schema: JsonSchema | Reference, example?: unknown) => ({
  'application/json': example === undefined ? { schema } : { schema, example },
});

/** JSON Schema of a zod schema as a request carries it (`io: 'input'`), ready to sit under components. */
export function fromZod(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

export function rolesNote(roles: readonly Role[]): string {
  return `Roles: ${roles.join(', ')}. Other roles are answered 403.`;
}

const errorResponse = (description: string, example: { code: string; message: string }): ResponseObject => ({
  description,
  content: json(ref('ErrorBody'), { error: example }),
});

export const ERROR_RESPONSES = {
  BadRequest: errorResponse(
    'The request is malformed: not JSON, not UTF-8 (`invalid_utf8`), nested deeper than PEIL_MAX_JSON_DEPTH (`too_deep`), wrong shape, or a query parameter unknown, repeated or invalid (`unknown_query_parameter`, `invalid_query`, with the parameter as path).',
    { code: 'malformed_json', message: 'Unexpected end of JSON input' },
  ),
  UnsupportedMediaType: errorResponse('The body is not sent as application/json (UTF-8).', { code: 'unsupported_media_type', message: 'send the body as application/json (UTF-8), not text/plain' }),
  Unauthenticated: errorResponse('No API key, or not a valid one. Comes with `WWW-Authenticate: Bearer`.', { code: 'unauthenticated', message: 'the API key is not valid' }),
  Forbidden: errorResponse("The key's role may not use this route.", { code: 'forbidden', message: 'role donor may not do this' }),
  NotFound: errorResponse('Nothing at this path, or the resource does not exist.', { code: 'not_found', message: 'no API under /v1/nothing' }),
  MethodNotAllowed: errorResponse('The path exists but not with this method; `Allow` lists the methods it takes.', { code: 'method_not_allowed', message: 'DELETE is not allowed on /v1/grant/grants' }),
  TooManyRequests: errorResponse('Too many requests for this key (PEIL_RATE_LIMIT_PER_KEY a minute), or too many failed authentications from this address. Comes with `Retry-After`.', { code: 'too_many_requests', message: 'rate limit of 600 requests per minute for this key; retry in 12 s' }),
  PayloadTooLarge: errorResponse('The body exceeds the size limit (8 MiB by default) or holds more than 1,000 events.', { code: 'payload_too_large', message: 'request body exceeds 8388608 bytes (PEIL_MAX_BODY_BYTES)' }),
  BadGateway: errorResponse('The service behind this path failed before answering. A write may or may not have been recorded: send it again with the same eventId.', { code: 'bad_gateway', message: 'enrolment failed before answering' }),
  ServiceUnavailable: errorResponse('The service behind this path is down or restarting (nothing was sent to it). Comes with `Retry-After`.', { code: 'service_unavailable', message: 'enrolment is unavailable; try again shortly' }),
  ServiceTimeout: errorResponse('The service behind this path did not answer in time.', { code: 'service_timeout', message: 'enrolment did not answer in time' }),
  IntegrityFault: errorResponse('The ledger failed its continuous verification (see `integrity` on /v1/health): writes are refused until it is repaired; reads keep answering.', {
    code: 'ledger_integrity_fault',
    message: 'writes are refused until the ledger is repaired: hash_mismatch at position 1234 (ledger-chain): stored hash … but content hashes to …',
  }),
} satisfies Record<string, ResponseObject>;
export type ErrorResponseName = keyof typeof ERROR_RESPONSES;

/** The answers any authenticated route can give besides its own. */
export const COMMON_ERRORS: Record<string, Reference> = {
  '401': response('Unauthenticated'),
  '403': response('Forbidden'),
  '429': response('TooManyRequests'),
  '502': response('BadGateway'),
  '503': response('ServiceUnavailable'),
  '504': response('ServiceTimeout'),
};

const errorDetail: JsonSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'Stable, machine-readable code, e.g. essn_already_enrolled.' },
    message: { type: 'string', description: 'For people; wording may change.' },
    path: { type: 'string', description: 'Where in the input, e.g. data.participant.birthDate.' },
  },
};

export const SHARED_SCHEMAS: Record<string, JsonSchema> = {
  ErrorDetail: errorDetail,
  ErrorBody: { type: 'object', required: ['error'], properties: { error: ref('ErrorDetail') } },
  SubmittedEvent: {
    ...fromZod(submittedEventSchema),
    description: 'The envelope every submitted event shares. `eventId` makes a submission idempotent: the same event again is answered `duplicate`, other content under the same id `rejected` with code `conflict`.',
  },
  SubmissionResult: {
    type: 'object',
    description: 'The outcome of one submitted event, in the order submitted.',
    required: ['eventId', 'status'],
    properties: {
      eventId: { type: ['string', 'null'], description: 'null when the submitted item had no readable eventId.' },
      status: { type: 'string', enum: ['accepted', 'duplicate', 'rejected'] },
      position: { type: 'integer', minimum: 1, description: 'Ledger position (accepted, duplicate).' },
      streamId: { type: 'string' },
      revision: { type: 'integer', minimum: 0, description: 'Revision within the stream, from 0.' },
      hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the recorded envelope, chained to the previous event of the stream.' },
      error: { ...ref('ErrorDetail'), description: 'Why the event was rejected (rejected only).' },
    },
  },
  SubmissionResults: {
    type: 'object',
    required: ['results'],
    properties: { results: { type: 'array', items: ref('SubmissionResult') } },
  },
};

export interface EventsEndpoint {
  /** Path prefix of the context, e.g. `enrolment`. */
  context: string;
  /** Event type → zod schema of its `data` (the context's `*_EVENT_SCHEMAS`). */
  events: Record<string, z.ZodType>;
  /** Roles per event type, when a type is narrower than the route (each event is checked on its own). */
  eventRoles?: Readonly<Record<string, readonly Role[]>>;
  example?: unknown;
}

/**
 * `POST /v1/<context>/events` and its schemas, generated from the context's zod schemas so the
 * document cannot drift from what the service validates.
 */
export function eventsEndpoint({ context, events, eventRoles, example }: EventsEndpoint): Pick<ApiSection, 'paths' | 'schemas'> {
  const types = Object.keys(events);
  const schemas: Record<string, JsonSchema> = {};
  const mapping: Record<string, string> = {};
  for (const [type, schema] of Object.entries(events)) {
    schemas[type] = { ...fromZod(schema), description: `\`data\` of a ${type} event.` };
    schemas[`${type}Submission`] = {
      allOf: [ref('SubmittedEvent'), { type: 'object', properties: { type: { const: type }, data: ref(type) } }],
    };
    mapping[type] = ref(`${type}Submission`).$ref;
  }
  const batch = `${pascal(context)}EventBatch`;
  schemas[batch] = {
    type: 'object',
    required: ['events'],
    properties: {
      events: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_EVENTS_PER_REQUEST,
        items: { oneOf: types.map((t) => ref(`${t}Submission`)), discriminator: { propertyName: 'type', mapping } },
      },
    },
  };
  const operation: Operation = {
    operationId: `submit${pascal(context)}Events`,
    summary: `Submit ${context} events`,
    description: [
      `At most ${MAX_EVENTS_PER_REQUEST} events, processed in order (a later event may depend on an earlier one).`,
      `Accepted types: ${types.join(', ')}.`,
      'The answer is 200 with one result per event even when some are rejected: an event with an unknown type or invalid data is `rejected` with a code and the path of the problem, and is not recorded.',
      ...(eventRoles
        ? [`Per event type: ${Object.entries(eventRoles).map(([type, allowed]) => `${type}: ${allowed.join(', ')}`).join('; ')}. An event of a type the caller's role may not submit is \`rejected\` with code \`forbidden\` and writes nothing.`]
        : []),
    ].join(' '),
    tags: [context],
    ...(eventRoles ? { 'x-peil-event-roles': Object.fromEntries(Object.entries(eventRoles).map(([type, allowed]) => [type, [...allowed]])) } : {}),
    requestBody: { required: true, content: json(ref(batch), example) },
    responses: {
      '200': { description: 'One result per submitted event, in order.', content: json(ref('SubmissionResults')) },
      '400': response('BadRequest'),
      '413': response('PayloadTooLarge'),
      '415': response('UnsupportedMediaType'),
      ...COMMON_ERRORS,
    },
  };
  return { paths: { [`/v1/${context}/events`]: { post: operation } }, schemas };
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}
