import type { IncomingHttpHeaders } from 'node:http';

/**
 * How a request's body is delimited, decided once from what Node's parser accepted and then used
 * for the upstream request: the gateway never passes a client's framing on, it frames every body
 * it forwards itself, so a body can never be read by a service as the start of another request.
 */
export type RequestFraming =
  | { kind: 'none' }
  | { kind: 'length'; bytes: number }
  | { kind: 'chunked' }
  | { kind: 'refused'; status: 400 | 501; code: string; message: string };

/** Methods whose requests have no defined body: one sent anyway is an attack or a broken client. */
const BODYLESS = new Set(['GET', 'HEAD']);

export interface FramedRequestHead {
  method?: string | undefined;
  httpVersion: string;
  headers: IncomingHttpHeaders;
}

/**
 * Node's parser has already refused the ambiguous forms (Content-Length with Transfer-Encoding,
 * duplicate or non-numeric lengths, bare LF, obs-fold, bad chunk sizes); what is left is checked
 * here against what a service may receive. Every refusal ends the client connection.
 */
export function requestFraming(req: FramedRequestHead): RequestFraming {
  const method = (req.method ?? '').toUpperCase();
  const te = req.headers['transfer-encoding'];
  const cl = req.headers['content-length'];
  if (te !== undefined) {
    if (cl !== undefined) return refused(400, 'malformed_request', 'send either Content-Length or Transfer-Encoding, not both');
    if (BODYLESS.has(method)) return bodyNotAllowed(method);
    // Chunked is an HTTP/1.1 coding; a 1.0 peer announcing it is a parser disagreement waiting to happen.
    if (req.httpVersion !== '1.1') return refused(400, 'malformed_request', `Transfer-Encoding is not defined for HTTP/${req.httpVersion}`);
    // Anything but plain chunked (gzip, chunked …) would reach the service decoded differently from what it was told.
    if (te.trim().toLowerCase() !== 'chunked') {
      return refused(501, 'unsupported_transfer_encoding', `Transfer-Encoding ${JSON.stringify(te)} is not supported; send chunked or a Content-Length`);
    }
    return { kind: 'chunked' };
  }
  if (cl !== undefined) {
    if (!/^\d{1,15}$/.test(cl)) return refused(400, 'malformed_request', 'Content-Length must be a decimal number of bytes');
    const bytes = Number(cl);
    if (bytes === 0) return { kind: 'none' };
    if (BODYLESS.has(method)) return bodyNotAllowed(method);
    return { kind: 'length', bytes };
  }
  return { kind: 'none' };
}

function bodyNotAllowed(method: string): RequestFraming {
  return refused(400, 'body_not_allowed', `a ${method} request must not have a body (no Content-Length above 0, no Transfer-Encoding)`);
}

function refused(status: 400 | 501, code: string, message: string): RequestFraming {
  return { kind: 'refused', status, code, message };
}
