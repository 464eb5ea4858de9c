import { Agent, request, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { INTERNAL_TOKEN } from '@peil/platform/auth';
import { serviceUrl, type ServiceName } from '@peil/platform/config';
import type { Caller } from '@peil/platform/auth';
import type { GatewayConfig } from '../gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';
import { requestFraming, type RequestFraming } from '../http/request-framing';
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

    const framing = requestFraming(req);
    if (framing.kind === 'refused') {
      // The server's framing guard refuses these before any route runs; here only so the proxy never depends on it.
      sendError(res, framing.status, framing.code, framing.message, { connection: 'close' });
      return;
    }
    const max = this.config.maxBodyBytes;
    if (framing.kind === 'length' && framing.bytes > max) {
      // Refused before a byte reaches the service.
      refuseTooLarge(req, res, max);
      return;
    }
    const headers = upstreamRequestHeaders(req.headers, { token: this.token, caller, requestId, clientAddress: req.socket.remoteAddress });
    this.stream(req, res, target, route.service, framed(headers, framing), framing);
  }

  private stream(req: IncomingMessage, res: ServerResponse, target: string, service: ServiceName, headers: OutgoingHttpHeaders, framing: BodyFraming, retry = true): void {
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
    // A body that is not exactly the declared length must fail here, not spill into the next request on the socket.
    // (A property of every OutgoingMessage since Node 18.10; the types declare it on responses only.)
    if (framing.kind === 'length') (upstream as ClientRequest & { strictContentLength: boolean }).strictContentLength = true;
    // Who answers the client: nobody yet, the service (streaming), or the gateway itself (413, 502, 503, 504).
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
      if (retry && isStalePooledSocket(upstream, err, req.method, framing)) {
        // The service closed this idle pooled connection (restart, its keep-alive timeout) just as it was
        // taken: a read without a body is sent again once, on a new connection.
        this.stream(req, res, target, service, headers, framing, false);
        return;
      }
      answeredBy = 'gateway';
      if (err instanceof UpstreamTimeout) {
        this.logger.warn(`${service} did not answer within ${this.config.upstreamTimeoutMs} ms`);
        sendError(res, 504, 'service_timeout', `${service} did not answer in time`);
      } else if (isNotListening(err)) {
        // Down or restarting (the supervisor brings it back): nothing was sent, so trying again later is safe.
        this.logger.warn(`${service} is unavailable (${(err as NodeJS.ErrnoException).code ?? err.message})`);
        sendError(res, 503, 'service_unavailable', `${service} is unavailable; try again shortly`, { 'retry-after': '2' });
      } else {
        this.logger.warn(`${service} failed before answering (${(err as NodeJS.ErrnoException).code ?? err.message})`);
        sendError(res, 502, 'bad_gateway', `${service} failed before answering; a write may or may not have been recorded, so send it again with the same eventId`);
      }
    });
    // The client went away before its answer was complete: the service need not go on. destroy()
    // also destroys the upstream socket, so a connection left mid-request is never reused.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    // The client's body broke off (reset, or a framing error Node's parser found mid-body): the
    // service must never complete a request from part of a body.
    req.on('close', () => {
      if (!req.complete) upstream.destroy();
    });

    if (framing.kind === 'none') {
      upstream.end();
      return;
    }
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
      try {
        if (!upstream.write(chunk)) {
          req.pause();
          upstream.once('drain', () => req.resume());
        }
      } catch (err) {
        // ERR_HTTP_CONTENT_LENGTH_MISMATCH: thrown, not emitted. The socket goes with the request.
        upstream.destroy(err as Error);
      }
    });
    req.on('end', () => {
      if (!forwarding) return;
      try {
        upstream.end();
      } catch (err) {
        upstream.destroy(err as Error);
      }
    });
  }
}

type BodyFraming = Exclude<RequestFraming, { kind: 'refused' }>;

/**
 * The upstream request's framing, always set by the gateway: the client's Content-Length and
 * Transfer-Encoding are never copied, and Node's client would otherwise write the bytes of a
 * GET body unframed onto a pooled connection, where the service reads them as the next request.
 */
function framed(headers: OutgoingHttpHeaders, framing: BodyFraming): OutgoingHttpHeaders {
  const out = { ...headers };
  if (framing.kind === 'length') out['content-length'] = String(framing.bytes);
  if (framing.kind === 'chunked') out['transfer-encoding'] = 'chunked';
  return out;
}

/**
 * A reset before any answer on a connection reused from the pool, for a GET or HEAD: the request
 * never reached a live service, or reaching it again changes nothing. Writes are never retried.
 */
function isStalePooledSocket(upstream: ClientRequest, err: Error, method: string | undefined, framing: BodyFraming): boolean {
  return upstream.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET' && framing.kind === 'none' && (method === 'GET' || method === 'HEAD');
}

/** Errors that mean no connection to the service was made, so the request never left the gateway. */
function isNotListening(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
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
