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

export function isPublicRoute(method: string | undefined, target: string): boolean {
  const path = target.split('?', 1)[0];
  return PUBLIC_ROUTES.some((route) => route.method === method && route.path === path);
}

/** Authenticated routes the gateway answers itself, with no service behind them (roles in ROUTE_ROLES). */
export const GATEWAY_OWN_ROUTES: readonly string[] = ['GET /v1/me'];
