import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { RouteTemplates, declaredRoute } from '@peil/platform/auth';
import { RateLimiter } from '@peil/platform/http';
import { METRICS } from '@peil/platform/nest';
import { withRequestId, type ServiceMetrics } from '@peil/platform/observability';
import type { NextFunction, Request, Response } from 'express';
import { bearerKey, type Caller } from '@peil/platform/auth';
import { KeyRegistry } from '@peil/platform/auth';
import { DashboardAssets } from './dashboard/dashboard-assets';
import { AccessLog } from './edge/access-log';
import { MetricsAggregator } from './edge/metrics-aggregator';
import { applyCors, setSecurityHeaders } from './edge/security-headers';
import type { GatewayConfig } from './gateway.config';
import { GATEWAY_CONFIG, ROUTE_TEMPLATES } from './gateway.tokens';
import { sendError } from './http/send-error';
import { requestIdFor } from './proxy/forwarded-headers';
import { ServiceProxy } from './proxy/service-proxy';
import { isPublicRoute, ownRoute, pathOf, type OwnAnswer } from './public-routes';

/**
 * Every request: security headers, CORS, the access log and request metrics; then, unless it is
 * one of the gateway's own public routes, rate limits, authentication and the proxy.
 *
 * A middleware rather than a controller because the proxy needs the raw request stream: a
 * controller runs after body parsing, which would buffer the body, answer malformed JSON in the
 * gateway's words and lose the exact bytes. The app is created with `bodyParser: false`, and this
 * middleware ends every request it takes, so no controller other than the public ones is reachable.
 */
@Injectable()
export class GatewayMiddleware implements NestMiddleware {
  private readonly perKey: RateLimiter;
  private readonly authFailures: RateLimiter;

  constructor(
    // Consulted on every request: a key revoked with `peil-ledger keys revoke` is refused at once.
    private readonly keys: KeyRegistry,
    private readonly proxy: ServiceProxy,
    private readonly accessLog: AccessLog,
    private readonly metricsAggregator: MetricsAggregator,
    private readonly dashboard: DashboardAssets,
    @Inject(METRICS) private readonly metrics: ServiceMetrics,
    @Inject(ROUTE_TEMPLATES) private readonly routes: RouteTemplates,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.perKey = new RateLimiter(config.rateLimitPerKey);
    this.authFailures = new RateLimiter(config.rateLimitAuthFailures);
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const requestId = requestIdFor(req.headers);
    // The proxy sends the same id on; set here too so that every answer, errors included, carries it.
    req.headers['x-request-id'] = requestId;
    res.setHeader('x-request-id', requestId);
    withRequestId(requestId, () => this.handle(req, res, next, requestId));
  }

  private handle(req: Request, res: Response, next: NextFunction, requestId: string): void {
    const started = process.hrtime.bigint();
    const route = this.routes.match(req.originalUrl);
    const page = this.dashboard.template(req.method, req.originalUrl);
    const template = route?.template ?? page ?? (isPublicRoute(req.method, req.originalUrl) ? pathOf(req.originalUrl) : 'unmatched');
    let caller: Caller | null = null;
    const bytesBefore = req.socket.bytesWritten;
    res.once('close', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      this.metrics.httpRequests.observe({ method: req.method, route: template, status: String(res.statusCode) }, durationMs / 1000);
      this.accessLog.write({
        method: req.method, route: template, status: res.statusCode, durationMs: Math.round(durationMs * 10) / 10,
        bytes: Math.max(0, req.socket.bytesWritten - bytesBefore), keyId: caller?.keyId ?? null, requestId, clientAddress: req.socket.remoteAddress,
      });
    });

    setSecurityHeaders(res);
    if (applyCors(req, res, this.config.corsOrigins)) return;
    if (isPublicRoute(req.method, req.originalUrl)) {
      next();
      return;
    }
    // The dashboard's page and bundles hold no data: open, like the docs page.
    if (page !== null) {
      this.dashboard.serve(req, res, req.originalUrl);
      return;
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    const key = bearerKey(req.headers.authorization);
    caller = key === null ? null : this.keys.verify(key);
    if (caller === null) {
      // Counted per address, apart from valid traffic: a guessing client is slowed, a valid key from the same address is not.
      const wait = this.authFailures.take(address);
      if (wait !== null) {
        sendError(res, 429, 'too_many_requests', `too many failed authentications from this address; retry in ${wait} s`, { 'retry-after': String(wait) });
        return;
      }
      const challenge = key === null ? 'Bearer realm="peil-ledger"' : 'Bearer realm="peil-ledger", error="invalid_token"';
      const message = key === null ? 'send an API key as Authorization: Bearer <key>' : 'the API key is not valid (unknown or revoked)';
      sendError(res, 401, 'unauthenticated', message, { 'www-authenticate': challenge });
      return;
    }
    const wait = this.perKey.take(caller.keyId);
    if (wait !== null) {
      sendError(res, 429, 'too_many_requests', `rate limit of ${this.config.rateLimitPerKey} requests per minute for this key; retry in ${wait} s`, { 'retry-after': String(wait) });
      return;
    }
    // After authentication: without a key, nobody learns which paths exist.
    if (route && !route.methods.has(req.method)) {
      sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${route.template}`, { allow: [...route.methods].join(', ') });
      return;
    }
    // Roles from the table the services' guard enforces too (ROUTE_ROLES): a refused role reaches no service.
    const declared = route && declaredRoute(req.method, route.template);
    if (declared && !declared.roles.includes(caller.role)) {
      sendError(res, 403, 'forbidden', `role ${caller.role} may not do this`);
      return;
    }
    const own = ownRoute(req.originalUrl);
    if (own) {
      if (req.method !== own.method) {
        sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${own.path}`, { allow: own.method });
        return;
      }
      void this.answers[own.answer](res, caller);
      return;
    }
    this.proxy.forward(req, res, caller);
  }

  /** The gateway's own routes (OWN_ROUTES), answered after authentication and the role check. */
  private readonly answers: Record<OwnAnswer, (res: Response, caller: Caller) => void | Promise<void>> = {
    me: (res, caller) => {
      // Which role the key has, so a client (the dashboard) shows only what that role may read.
      const body = JSON.stringify({ keyId: caller.keyId, role: caller.role });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(body);
    },
    metrics: async (res) => {
      const { contentType, body } = await this.metricsAggregator.exposition();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(body);
    },
  };
}
