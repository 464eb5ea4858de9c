import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@nestjs/common';
import { apiError } from '@peil/platform/http';
import { requestFraming } from './request-framing';
import { sendError } from './send-error';

/** How long a refused connection may take to flush its answer (it may queue behind a slow pipelined one). */
const LINGER_MS = 5_000;
/** Refusals are logged at most this often, with a count: a stream of attacks must not flood the log. */
const LOG_EVERY_MS = 10_000;

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Checks every request's framing before the application sees it, on the raw server, for two
 * reasons: public routes (health, docs) must refuse a smuggled body as the proxy does, and
 * requests pipelined behind a refused one are already parsed by the time a middleware would run.
 * A connection that carried a refused request is condemned: its refusal is the last answer it
 * gets, whatever was pipelined behind it is never handled, and it is closed.
 *
 * Parse errors (Node refuses the ambiguous forms itself) are answered in the API's error shape
 * when nothing else is being answered on that connection, and always end it.
 */
export function guardFraming(server: Server, logger: Logger): void {
  const application = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const condemned = new WeakSet<object>();
  const refusals = { since: 0, lastLog: 0 };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (condemned.has(req.socket)) return; // closed once the refusal before it has left
    const framing = requestFraming(req);
    if (framing.kind === 'refused') {
      condemned.add(req.socket);
      refusals.since += 1;
      if (Date.now() - refusals.lastLog >= LOG_EVERY_MS) {
        logger.warn(`refused ${refusals.since} request(s) for their framing and closed the connections; latest: ${req.method ?? '?'} from ${req.socket.remoteAddress ?? '?'}, ${framing.code}`);
        refusals.since = 0;
        refusals.lastLog = Date.now();
      }
      // `connection: close` makes Node end the socket right after this answer, even with more queued behind it.
      sendError(res, framing.status, framing.code, framing.message, { connection: 'close' });
      lingerThenDestroy(req.socket);
      return;
    }
    for (const listener of application) listener.call(server, req, res);
  });

  server.on('clientError', (err: NodeJS.ErrnoException & { reason?: unknown }, socket: Duplex) => {
    // Another answer is on its way on this socket: a 400 written now would be read as that one.
    const answering = (socket as Duplex & { _httpMessage?: unknown })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || answering) {
      socket.destroy();
      return;
    }
    const [status, code] = clientErrorStatus(err.code);
    const reason = typeof err.reason === 'string' ? `: ${err.reason}` : '';
    const body = JSON.stringify({ error: apiError(code, `the request is not valid HTTP/1.1${reason}`) });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    lingerThenDestroy(socket);
  });
}

function clientErrorStatus(code: string | undefined): [number, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'headers_too_large'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'request_timeout'];
    default:
      return [400, 'malformed_request'];
  }
}

function lingerThenDestroy(socket: Duplex): void {
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
