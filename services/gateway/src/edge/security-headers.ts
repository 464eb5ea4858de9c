import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Headers every answer of the gateway carries (what helmet would set, for an API that also serves
 * a same-origin dashboard): no MIME sniffing, no framing, no referrer leaking paths with household
 * ids, and a Content-Security-Policy that allows only this origin's own scripts, styles and API.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

/**
 * CORS with an explicit allow-list (PEIL_CORS_ORIGINS, none by default). A preflight is answered
 * here, before authentication — browsers never send credentials on one — with 204, and with the
 * allow headers only for a listed origin (for any other origin the browser then refuses the call).
 * Returns true when the request was a preflight and has been answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  const allowed = typeof origin === 'string' && origins.includes(origin);
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', 'x-request-id, x-ledger-position, retry-after');
  }
  res.setHeader('vary', 'origin');
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  if (!preflight) return false;
  if (allowed) {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader('access-control-allow-headers', 'authorization, content-type, x-request-id');
    res.setHeader('access-control-max-age', '600');
  }
  res.writeHead(204, { 'content-length': '0' });
  res.end();
  return true;
}
