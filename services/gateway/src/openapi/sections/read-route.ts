import { COMMON_ERRORS, response } from '../components';
import type { MediaType, PathItem, Reference } from '../openapi.types';

/** A GET route of a context's state, described once for every context that has one (its roles come from ROUTE_ROLES). */
export function readRoute(opts: { tag: string; operationId: string; summary: string; description?: string; params?: string[]; query?: string[];
  /** Media types of the 200 answer (default JSON). */
  content?: Record<string, MediaType>;
  /** Answers this route gives besides 404 and the common ones (e.g. 400 for bad query values). */
  responses?: Record<string, Reference>;
}): PathItem {
  return {
    get: {
      operationId: opts.operationId,
      summary: opts.summary,
      ...(opts.description ? { description: opts.description } : {}),
      tags: [opts.tag],
      parameters: [
        ...(opts.params ?? []).map((name) => ({ name, in: 'path' as const, required: true, schema: { type: 'string' } })),
        ...(opts.query ?? []).map((name) => ({ name, in: 'query' as const, required: false, schema: { type: 'string' } })),
      ],
      responses: {
        '200': { description: opts.summary, content: opts.content ?? { 'application/json': { schema: { type: 'object' } } } },
        // Query parameters are checked: an unknown, repeated or invalid one is answered 400 with its name as path.
        ...(opts.query?.length ? { '400': response('BadRequest') } : {}),
        '404': response('NotFound'),
        ...opts.responses,
        ...COMMON_ERRORS,
      },
    },
  };
}
