import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';

/**
 * Every error leaves as `{ error: { code, message, path? } }`. Unexpected errors are logged with
 * their stack and answered 500 without internals.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object') {
        sendJson(res, status, body);
        return;
      }
      sendJson(res, status, { error: { code: codeFor(status, exception), message: exception.message } });
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    sendJson(res, HttpStatus.INTERNAL_SERVER_ERROR, { error: { code: 'internal', message: 'internal error' } });
  }
}

/**
 * Express's json() keeps a content type already set: a route declaring `text/plain` for its answer
 * (a signed checkpoint) would send its JSON error labelled as text. An error is always JSON.
 */
function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').json(body);
}

function codeFor(status: number, exception: HttpException): string {
  // body-parser's errors carry a `type`; a JSON syntax error is the caller's fault, not ours.
  const cause = (exception as { cause?: { type?: string } }).cause;
  if (status === 400 && cause?.type === 'entity.parse.failed') return 'malformed_json';
  if (status === 400 && /JSON/i.test(exception.message)) return 'malformed_json';
  switch (status) {
    case 400: return 'bad_request';
    case 401: return 'unauthenticated';
    case 403: return 'forbidden';
    case 404: return 'not_found';
    case 413: return 'payload_too_large';
    default: return 'error';
  }
}
