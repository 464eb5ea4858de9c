import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { GATEWAY_HEADERS } from '@peil/platform/auth';
import type { Caller } from '@peil/platform/auth';

/** Connection-level headers (RFC 9110 §7.6.1) belong to one hop and are never passed on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Not forwarded either: `host` (the service gets its own), `authorization` (the key stays at the
 * gateway: services trust the token and the role, and a key that never leaves cannot leak from a
 * service's logs), `expect` (this hop already answered 100-continue), `content-length` (the proxy
 * frames every upstream body itself, from what it parsed; with `transfer-encoding` above).
 */
const REQUEST_ONLY_HERE = new Set(['host', 'authorization', 'expect', 'content-length']);

/** A client's request id is kept when it is plainly an id; anything else is replaced. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(headers: IncomingHttpHeaders): string {
  const given = headers[GATEWAY_HEADERS.requestId];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * The headers a service receives. Every `x-peil-*` header from the client is dropped before the
 * gateway sets its own: the services trust these headers (with the token), so a client must never
 * be able to choose its role.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  forwarded: { token: string; caller: Caller; requestId: string; clientAddress: string | undefined },
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const perConnection = listedInConnection(incoming.connection);
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || REQUEST_ONLY_HERE.has(lower) || perConnection.has(lower)) continue;
    if (lower.startsWith('x-peil-') || lower === GATEWAY_HEADERS.requestId || lower.startsWith('x-forwarded-') || lower === 'forwarded') continue;
    out[lower] = value;
  }
  out[GATEWAY_HEADERS.token] = forwarded.token;
  out[GATEWAY_HEADERS.role] = forwarded.caller.role;
  out[GATEWAY_HEADERS.principal] = `${forwarded.caller.role}:${forwarded.caller.keyId}`;
  out[GATEWAY_HEADERS.requestId] = forwarded.requestId;
  if (forwarded.clientAddress) out['x-forwarded-for'] = forwarded.clientAddress;
  return out;
}

/** The service's response headers as the client gets them: all but the hop-by-hop ones. */
export function downstreamResponseHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const perConnection = listedInConnection(incoming.connection);
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || perConnection.has(lower)) continue;
    out[lower] = value;
  }
  return out;
}

function listedInConnection(value: string | string[] | undefined): Set<string> {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    joined
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
}
