/**
 * The gateway's own routes, open without a key. Everything else is authenticated and proxied.
 * Exact, case-sensitive matches: a spelling Express would also route here (`/V1/Health/`) merely
 * takes the authenticated path and ends as a 404, never the other way round.
 */
export const PUBLIC_ROUTES: ReadonlyArray<{ method: 'GET'; path: string }> = [
  { method: 'GET', path: '/v1/health' },
  { method: 'GET', path: '/v1/ready' },
  { method: 'GET', path: '/v1/docs' },
  { method: 'GET', path: '/v1/docs/openapi.json' },
  { method: 'GET', path: '/v1/docs/ui' },
];

/** The path of a request target, without its query. */
export const pathOf = (target: string): string => target.split('?', 1)[0] ?? '';

export function isPublicRoute(method: string | undefined, target: string): boolean {
  const path = pathOf(target);
  return PUBLIC_ROUTES.some((route) => route.method === method && route.path === path);
}

/** What the gateway answers itself: the caller's own key and role, or the metrics of every service. */
export type OwnAnswer = 'me' | 'metrics';

/**
 * Authenticated routes the gateway answers itself, with no service behind them (roles in
 * ROUTE_ROLES, checked before): the middleware dispatches from this table.
 */
export const OWN_ROUTES: ReadonlyArray<{ method: 'GET'; path: string; answer: OwnAnswer }> = [
  { method: 'GET', path: '/v1/me', answer: 'me' },
  { method: 'GET', path: '/metrics', answer: 'metrics' },
];

export const GATEWAY_OWN_ROUTES: readonly string[] = OWN_ROUTES.map((route) => `${route.method} ${route.path}`);

export function ownRoute(target: string): (typeof OWN_ROUTES)[number] | undefined {
  const path = pathOf(target);
  return OWN_ROUTES.find((route) => route.path === path);
}
