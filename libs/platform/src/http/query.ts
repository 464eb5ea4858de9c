import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { textProblem } from '@peil/contracts';
import { apiError } from './error-body';
import { truncated } from './json-body';

/** A route's query parameters: each one given at most once, as a plain string. */
export type QueryValues = Readonly<Record<string, string | undefined>>;

/**
 * The route's query parameters, checked: a name the route does not take (`after[]`, a typo) and a
 * parameter given twice or as a structure (`?limit=1&limit=2`, `?after[x]=1`) are 400 with the
 * parameter as path — otherwise they are silently ignored or picked at random, and the caller
 * reads a page or a report it did not ask for. Empty values count as absent. The result has no
 * prototype: a parameter named `constructor` is just an unknown name.
 */
export const QueryParams = createParamDecorator((names: readonly string[], ctx: ExecutionContext): QueryValues => {
  const query = (ctx.switchToHttp().getRequest<Request>().query ?? {}) as Record<string, unknown>;
  return checkedQuery(query, names);
});

export function checkedQuery(query: Record<string, unknown>, names: readonly string[]): QueryValues {
  const values: Record<string, string | undefined> = Object.create(null);
  for (const name of Object.keys(query)) {
    const shown = truncated(name, 64);
    if (!names.includes(name)) {
      const takes = names.length === 0 ? 'takes no query parameters' : `takes ${names.join(', ')}`;
      throw badQuery('unknown_query_parameter', `unknown query parameter ${JSON.stringify(shown)}: this route ${takes}`, shown);
    }
    const value = query[name];
    if (typeof value !== 'string') throw badQuery('invalid_query', `${name} must be given once, as a single value`, name);
    const problem = textProblem(value);
    if (problem) throw badQuery('invalid_query', `${name} ${problem}`, name);
    if (value !== '') values[name] = value;
  }
  return values;
}

function badQuery(code: string, message: string, path: string): BadRequestException {
  return new BadRequestException({ error: apiError(code, message, path) });
}
