import { Agent, request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { INTERNAL_TOKEN, serviceUrl, type ServiceName } from '@peil/platform';
import type { Caller } from '../auth/api-key.verifier';
import type { GatewayConfig } from '../gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { sendError } from '../http/send-error';
import { downstreamResponseHeaders, requestIdFor, upstreamRequestHeaders } from './forwarded-headers';
import { resolveRoute } from './service-routes';

/** How long a client that sent too much may go on sending (discarded) before its connection is cut. */
const LINGER_MS = 5_000;

class UpstreamTimeout extends Error {}

/**
 * Streams a request to the service that owns its path and the answer back, byte for byte: the
 * gateway never parses a body (a service answers 400 to malformed JSON in its own words), it only
 * counts the bytes so that no body above PEIL_MAX_BODY_BYTES reaches a service.
 */
@Injectable()
export class ServiceProxy implements OnApplicationShutdown {
  private readonly logger = new Logger('proxy');
  // Keep-alive to the services saves a TCP handshake per request. Idle sockets are dropped after 4 s,
  // before a Node service's 5 s keep-alive timeout closes them under a request about to be sent.
  private readonly agent = new Agent({ keepAlive: true, timeout: 4_000 });

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(INTERNAL_TOKEN) private readonly token: string,
  ) {}

  onApplicationShutdown(): void {
    this.agent.destroy();
  }

  forward(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, caller: Caller): void {
    // originalUrl: Express strips a middleware's mount path from req.url; the service must get the whole target.
    const target = req.originalUrl ?? req.url ?? '/';
    const route = resolveRoute(target);
    if (route.kind === 'invalid_path') {
      sendError(res, 400, 'invalid_path', 'paths must not contain . or .. segments');
      return;
    }
    if (route.kind === 'unknown') {
      const what = route.prefix === null ? `no API at ${target.split('?', 1)[0]}` : `no API under /v1/${route.prefix}`;
      sendError(res, 404, 'not_found', what);
      return;
    }
    const requestId = requestIdFor(req.headers);
    res.setHeader('x-request-id', requestId);

    const max = this.config.maxBodyBytes;
    const declared = declaredLength(req);
    if (declared !== null && declared > max) {
      // Refused before a byte reaches the service.
      refuseTooLarge(req, res, max);
      return;
    }
    const headers = upstreamRequestHeaders(req.headers, { token: this.token, caller, requestId, clientAddress: req.socket.remoteAddress });
    this.stream(req, res, target, route.service, headers);
  }

  private stream(req: IncomingMessage, res: ServerResponse, target: string, service: ServiceName, headers: OutgoingHttpHeaders): void {
    const max = this.config.maxBodyBytes;
    const url = new URL(serviceUrl(this.config, service));
    const upstream = request({
      host: url.hostname,
      port: url.port,
      method: req.method,
      path: target,
      headers,
      agent: this.agent,
      timeout: this.config.upstreamTimeoutMs,
    });
    // Who answers the client: nobody yet, the service (streaming), or the gateway itself (413, 502, 504).
    let answeredBy: 'none' | 'service' | 'gateway' = 'none';
    let forwarding = true;

    upstream.on('response', (answer) => {
      if (answeredBy !== 'none') {
        answer.resume();
        return;
      }
      answeredBy = 'service';
      res.writeHead(answer.statusCode ?? 502, downstreamResponseHeaders(answer.headers));
      answer.pipe(res);
      // A service that dies mid-answer must not look like a short but complete answer: cut the connection.
      answer.on('error', () => res.destroy());
      answer.on('close', () => {
        if (!answer.complete) res.destroy();
      });
    });
    upstream.on('timeout', () => upstream.destroy(new UpstreamTimeout()));
    upstream.on('error', (err) => {
      forwarding = false;
      // A body paused for back-pressure would never resume now: drain it so the connection can finish.
      req.resume();
      if (answeredBy === 'service') {
        if (!res.writableFinished) res.destroy();
        return;
      }
      if (answeredBy === 'gateway') return; // we cut the upstream ourselves, after answering
      answeredBy = 'gateway';
      if (err instanceof UpstreamTimeout) {
        this.logger.warn(`${service} did not answer within ${this.config.upstreamTimeoutMs} ms`);
        sendError(res, 504, 'service_timeout', `${service} did not answer in time`);
      } else {
        this.logger.warn(`${service} is not answering (${(err as NodeJS.ErrnoException).code ?? err.message})`);
        sendError(res, 502, 'service_unavailable', `${service} is not answering`);
      }
    });
    // The client went away before its answer was complete: the service need not go on.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });

    // Counted by hand rather than piped: a chunked body has no length to check up front, and
    // on overflow the client must still get a 413 rather than a reset.
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      if (!forwarding) return; // discarding the rest of a refused body
      received += chunk.length;
      if (received > max) {
        forwarding = false;
        if (answeredBy === 'none') {
          answeredBy = 'gateway';
          refuseTooLarge(req, res, max);
        }
        // The service must never act on a truncated body: abort its request mid-body.
        upstream.destroy();
        return;
      }
      if (!upstream.write(chunk)) {
        req.pause();
        upstream.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (forwarding) upstream.end();
    });
  }
}

function declaredLength(req: IncomingMessage): number | null {
  const value = req.headers['content-length'];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * 413 and close the connection. The rest of the body is read and discarded for a few seconds
 * so that the client, still sending, gets to read the answer instead of a connection reset.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, max: number): void {
  sendError(res, 413, 'payload_too_large', `request body exceeds ${max} bytes (PEIL_MAX_BODY_BYTES)`, { connection: 'close' });
  const linger = setTimeout(() => req.socket.destroy(), LINGER_MS);
  linger.unref();
  req.once('close', () => clearTimeout(linger));
  req.resume();
}
