import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { bearerKey } from './auth/api-key.verifier';
import { KeyRegistry } from './auth/key-registry';
import { sendError } from './http/send-error';
import { ServiceProxy } from './proxy/service-proxy';
import { isPublicRoute } from './public-routes';

/**
 * Every request that is not one of the gateway's own public routes: authenticate, then proxy.
 *
 * A middleware rather than a controller because the proxy needs the raw request stream: a
 * controller runs after body parsing, which would buffer the body, answer malformed JSON in the
 * gateway's words and lose the exact bytes. The app is created with `bodyParser: false`, and this
 * middleware ends every request it takes, so no controller other than the public ones is reachable.
 */
@Injectable()
export class GatewayMiddleware implements NestMiddleware {
  constructor(
    // Consulted on every request: a key revoked with `peil-ledger keys revoke` is refused at once.
    private readonly keys: KeyRegistry,
    private readonly proxy: ServiceProxy,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    if (isPublicRoute(req.method, req.originalUrl)) {
      next();
      return;
    }
    const key = bearerKey(req.headers.authorization);
    const caller = key === null ? null : this.keys.verify(key);
    if (caller === null) {
      // Roles are not checked here: the services answer 403 with their own reasons.
      const challenge = key === null ? 'Bearer realm="peil-ledger"' : 'Bearer realm="peil-ledger", error="invalid_token"';
      const message = key === null ? 'send an API key as Authorization: Bearer <key>' : 'the API key is not valid (unknown or revoked)';
      sendError(res, 401, 'unauthenticated', message, { 'www-authenticate': challenge });
      return;
    }
    this.proxy.forward(req, res, caller);
  }
}
