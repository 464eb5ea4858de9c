import type { ServerResponse } from 'node:http';
import { apiError } from '@peil/platform/http';

/**
 * The gateway's own error answers, written on the raw response because the proxy path never
 * reaches Nest's exception filter. Same `{ error: { code, message } }` shape as the services.
 */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    // Part of a proxied answer already left: the only honest signal left is a cut connection.
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: apiError(code, message) });
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
