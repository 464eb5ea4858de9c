import { ROLES, declaredRoute, isRole } from '@peil/platform/auth';
import { SERVICES } from '@peil/platform/config';
import { ERROR_RESPONSES, SHARED_SCHEMAS, rolesNote } from './components';
import type { ApiSection, JsonSchema, OpenApiDocument, Operation, PathItem } from './openapi.types';
import { ENROLMENT_SECTION } from './sections/enrolment.section';
import { GATEWAY_SECTION } from './sections/gateway.section';
import { LEDGER_SECTION } from './sections/ledger.section';
import { GRANT_SECTION } from './sections/grant.section';
import { REPORTS_SECTION } from './sections/reports.section';
import { ASSESSMENT_SECTION, ASSET_TRANSFER_SECTION, EVALUATION_SECTION, TRAINING_SECTION } from './sections/contexts.section';

/** Every section of the public API; a new context adds its section here (one line). */
export const API_SECTIONS: readonly ApiSection[] = [
  GATEWAY_SECTION,
  ENROLMENT_SECTION,
  ASSESSMENT_SECTION,
  ASSET_TRANSFER_SECTION,
  TRAINING_SECTION,
  EVALUATION_SECTION,
  GRANT_SECTION,
  LEDGER_SECTION,
  REPORTS_SECTION,
];

const DESCRIPTION = [
  'Event-sourced ledger of the PEIL pilot. Every route except /v1/health, /v1/ready and /v1/docs needs `Authorization: Bearer <API key>`;',
  `each key belongs to one role (${ROLES.join(', ')}) and each route states the roles it accepts.`,
  'Errors are `{ "error": { "code", "message", "path"? } }`.',
].join(' ');

/**
 * The OpenAPI 3.1 document of the sections whose service runs (is in SERVICES). Fails on two
 * sections claiming one path or one schema name, so a clash shows at start, not in a client.
 */
export function buildOpenApiDocument(sections: readonly ApiSection[] = API_SECTIONS): OpenApiDocument {
  const paths: Record<string, PathItem> = {};
  const schemas: Record<string, JsonSchema> = { ...SHARED_SCHEMAS };
  const tags: Array<{ name: string; description: string }> = [];
  for (const section of sections) {
    if (section.service !== undefined && !Object.hasOwn(SERVICES, section.service)) continue;
    tags.push(section.tag);
    for (const [path, item] of Object.entries(section.paths)) {
      if (Object.hasOwn(paths, path)) throw new Error(`OpenAPI: path ${path} is described twice`);
      paths[path] = withRoles(path, item);
    }
    for (const [name, schema] of Object.entries(section.schemas ?? {})) {
      if (Object.hasOwn(schemas, name)) throw new Error(`OpenAPI: schema ${name} is defined twice`);
      schemas[name] = schema;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'PEIL ledger API',
      version: '1.0.0',
      description: DESCRIPTION,
      // The package is UNLICENSED: the API description is the programme's, not open for reuse.
      license: { name: 'Proprietary (UNLICENSED): all rights reserved by the programme' },
    },
    // Relative: the gateway that served this document, wherever it is deployed (its PEIL_PORT, or the proxy in front of it).
    servers: [{ url: '/', description: 'The gateway serving this document.' }],
    security: [{ bearerAuth: [] }],
    tags,
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key of one role, from `peil-ledger keys add`, PEIL_API_KEYS or PEIL_API_KEYS_FILE, or generated into <data dir>/api-keys.json on first start. A revoked key is answered 401.',
        },
      },
      responses: ERROR_RESPONSES,
      schemas,
    },
  };
}

/**
 * Every operation that needs a key gets its roles from ROUTE_ROLES — the table the guards enforce —
 * as `x-peil-roles`, explicit bearer security and a sentence of its description. A documented route
 * the table does not know fails here, at start, not in a client's 403.
 */
function withRoles(path: string, item: PathItem): PathItem {
  const out: PathItem = {};
  for (const [method, operation] of Object.entries(item) as Array<[keyof PathItem, Operation]>) {
    if (operation.security?.length === 0) {
      out[method] = operation;
      continue;
    }
    const declared = declaredRoute(method, path);
    if (!declared) throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} has no roles in ROUTE_ROLES`);
    const roles = declared.roles.filter(isRole);
    const description = [operation.description, rolesNote(roles)].filter(Boolean).join(' ');
    out[method] = { ...operation, description, security: [{ bearerAuth: [] }], 'x-peil-roles': roles };
  }
  return out;
}
