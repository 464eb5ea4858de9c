import type { Role } from '@peil/platform';
import { COMMON_ERRORS, response, rolesNote } from '../components';
import type { PathItem } from '../openapi.types';

/** A GET route of a context's state, described once for every context that has one. */
export function readRoute(opts: { tag: string; operationId: string; summary: string; description?: string; roles: readonly Role[]; params?: string[]; query?: string[] }): PathItem {
  return {
    get: {
      operationId: opts.operationId,
      summary: opts.summary,
      description: `${opts.description ? `${opts.description} ` : ''}${rolesNote(opts.roles)}`,
      tags: [opts.tag],
      'x-peil-roles': [...opts.roles],
      parameters: [
        ...(opts.params ?? []).map((name) => ({ name, in: 'path' as const, required: true, schema: { type: 'string' } })),
        ...(opts.query ?? []).map((name) => ({ name, in: 'query' as const, required: false, schema: { type: 'string' } })),
      ],
      responses: {
        '200': { description: opts.summary, content: { 'application/json': { schema: { type: 'object' } } } },
        '404': response('NotFound'),
        ...COMMON_ERRORS,
      },
    },
  };
}
