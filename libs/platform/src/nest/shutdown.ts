import type { Server, ServerResponse } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { intVar, loadConfig } from '@peil/config';
import { z } from 'zod';

/**
 * How long a stopping process may take to drain. The supervisor waits a little longer before it
 * kills: a process past its own deadline exits 1 by itself, so a kill means it hung.
 */
const shutdownSchema = z.object({ PEIL_SHUTDOWN_TIMEOUT_MS: intVar(10_000, 100, 600_000) });

/** PEIL_SHUTDOWN_TIMEOUT_MS, validated (a bad value is a ConfigError at start, not a surprise at stop). */
export function shutdownTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return loadConfig(shutdownSchema, env).PEIL_SHUTDOWN_TIMEOUT_MS;
}

export type ShutdownOutcome = 'drained' | 'deadline';

export interface Drainable {
  /**
   * Stops accepting connections, lets the requests in flight finish (each answered with
   * `Connection: close`), then runs the application's shutdown hooks (projector batches settle,
   * stores close). Resolves `deadline` if that takes longer than `timeoutMs`.
   */
  shutDown(timeoutMs: number): Promise<ShutdownOutcome>;
  /** Requests received and not yet answered. */
  readonly inFlight: number;
}

/**
 * Draining for a Nest application, installed before it listens. Nest's own shutdown hooks run the
 * projectors' and relay's stop before the HTTP server closes and then re-raise the signal (the
 * process dies of SIGTERM, not exit 0); this closes the door first and finishes what came in.
 */
export function drainable(app: INestApplication): Drainable {
  const server = app.getHttpServer() as Server;
  const open = new Set<ServerResponse>();
  let closing = false;
  const closeIfIdle = () => {
    // A keep-alive connection whose response is done would otherwise hold server.close() until its idle timeout.
    if (closing) server.closeIdleConnections();
  };
  // First listener: a request arriving on a kept-alive connection while closing is still answered, then that connection ends.
  server.prependListener('request', (_req, res: ServerResponse) => {
    open.add(res);
    if (closing) res.setHeader('connection', 'close');
    res.once('close', () => {
      open.delete(res);
      closeIfIdle();
    });
  });
  let outcome: Promise<ShutdownOutcome> | undefined;
  return {
    get inFlight() {
      return open.size;
    },
    shutDown(timeoutMs) {
      outcome ??= (async () => {
        closing = true;
        for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
        const drained = new Promise<void>((done) => server.close(() => done()));
        closeIfIdle();
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<ShutdownOutcome>((done) => (timer = setTimeout(() => done('deadline'), timeoutMs)));
        const finished = (async (): Promise<ShutdownOutcome> => {
          await drained;
          await app.close();
          return 'drained';
        })();
        try {
          return await Promise.race([finished, deadline]);
        } finally {
          clearTimeout(timer);
        }
      })();
      return outcome;
    },
  };
}

/**
 * main.ts wiring: on SIGTERM or SIGINT, drain within PEIL_SHUTDOWN_TIMEOUT_MS and exit 0; past the
 * deadline, say what was still in flight and exit 1 (the supervisor reports a process that did not
 * stop cleanly). A second signal ends the process at once.
 */
export function exitGracefullyOnSignals(app: INestApplication, name: string, logger: LoggerService, timeoutMs: number): Drainable {
  const drain = drainable(app);
  const onSignal = (signal: NodeJS.Signals) => {
    logger.log(`${signal}: draining (at most ${timeoutMs} ms, ${drain.inFlight} requests in flight)`, name);
    drain.shutDown(timeoutMs).then(
      (outcome) => {
        if (outcome === 'drained') process.exit(0);
        logger.error(`still ${drain.inFlight} requests in flight after ${timeoutMs} ms (PEIL_SHUTDOWN_TIMEOUT_MS); exiting`, undefined, name);
        process.exit(1);
      },
      (err: unknown) => {
        logger.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`, undefined, name);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return drain;
}
