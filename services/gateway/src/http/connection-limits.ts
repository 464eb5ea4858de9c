import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '@nestjs/common';

export interface ConnectionLimits {
  /** Open connections in all; Node closes each one above this as soon as it is accepted. */
  maxConnections: number;
  /** Open connections from one client address. */
  maxPerClient: number;
  /** A connection with no request in flight and no bytes moving is closed after this. */
  idleTimeoutMs: number;
  /** The whole request head must have arrived within this (a trickled head keeps a socket "active"). */
  headersTimeoutMs: number;
  /** The whole request, body included, must have arrived within this. */
  requestTimeoutMs: number;
}

/** Refusals are logged at most this often, with a count: a flood of connections must not flood the log too. */
const LOG_EVERY_MS = 10_000;

/**
 * Bounds what idle or slow clients can hold: every connection costs a file descriptor, and a few
 * thousand idle ones would leave none for the connections to the services. Set on the raw server,
 * before it listens (the checking interval is read when listening starts).
 */
export function limitConnections(server: Server, limits: ConnectionLimits, logger: Logger): void {
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  // Between requests on a keep-alive connection the idle limit applies, as before the first one.
  server.keepAliveTimeout = limits.idleTimeoutMs;
  // Node checks the header and request timeouts on this interval (30 s by default), so they are only
  // as precise as it: a tenth of the header limit, at most 1 s.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 10)));
  // Socket inactivity. Node's default on a timeout is to destroy; the listener below spares a
  // connection whose request is still being answered (a 1,000-event batch may take a while).
  server.timeout = limits.idleTimeoutMs;

  const refused = { total: 0, perClient: 0, lastLog: 0 };
  const report = () => {
    const now = Date.now();
    if (now - refused.lastLog < LOG_EVERY_MS) return;
    refused.lastLog = now;
    logger.warn(
      `connections refused so far: ${refused.total} over PEIL_MAX_CONNECTIONS (${limits.maxConnections}), ` +
        `${refused.perClient} over PEIL_MAX_CONNECTIONS_PER_CLIENT (${limits.maxPerClient})`,
    );
  };
  server.on('drop', () => {
    refused.total += 1;
    report();
  });

  const perClient = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? 'unknown';
    const open = (perClient.get(client) ?? 0) + 1;
    if (open > limits.maxPerClient) {
      refused.perClient += 1;
      report();
      socket.destroy();
      return;
    }
    perClient.set(client, open);
    socket.once('close', () => {
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else perClient.delete(client);
    });
  });

  const inFlight = new WeakMap<object, number>();
  const stalls = new WeakMap<object, number>();
  server.on('request', (req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    stalls.delete(socket);
    res.once('close', () => inFlight.set(socket, (inFlight.get(socket) ?? 1) - 1));
  });
  server.on('timeout', (socket: Socket) => {
    if ((inFlight.get(socket) ?? 0) === 0) {
      socket.destroy();
      return;
    }
    // Busy but silent: a slow service (answered 504 by the proxy in time) or a client that stopped
    // reading its answer. Looked at again after each idle period, and cut once silent for as long
    // as a whole request may take, so a client that never reads cannot hold the connection forever.
    const silentFor = ((stalls.get(socket) ?? 0) + 1) * limits.idleTimeoutMs;
    if (silentFor >= limits.requestTimeoutMs) {
      socket.destroy();
      return;
    }
    stalls.set(socket, silentFor / limits.idleTimeoutMs);
    socket.setTimeout(limits.idleTimeoutMs);
  });
}
