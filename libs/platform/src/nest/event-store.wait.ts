import { Logger } from '@nestjs/common';
import { backoffDelay } from '@peil/messaging';
import { createServer, type Server } from 'node:http';
import { servicePort, type PlatformConfig, type ServiceName } from '../config/platform.config';
import { createEventStore, eventStoreCheck } from './event-store.factory';
import { HealthRegistry, type ServiceHealthBody } from './health.registry';

/** Back-off between probes: doubling from the first delay up to the cap. */
const RETRY = { initialMs: 500, maxMs: 15_000 };

/**
 * A service whose event store is a server (EventStoreDB) may start before that server answers.
 * Crashing would only become a restart loop under a supervisor; starting the application would fail
 * anyway, since its parts read the ledger as they boot. So the service waits: it retries with
 * exponential back-off, logging each failure, and meanwhile holds its port with a stand-in that
 * answers /internal/health (200: the process is alive) and /internal/ready (503) with the reason
 * (the gateway's /v1/health and /v1/ready show which service waits for what) and every other
 * request with 503. Resolves once the store answers; the
 * application then takes over the port. Returns at once on the embedded profile.
 */
export async function untilEventStoreReachable(config: PlatformConfig, service: ServiceName): Promise<void> {
  if (config.PEIL_EVENT_STORE === 'sqlite') return;
  const logger = new Logger(service);
  const store = createEventStore(config);
  const health = new HealthRegistry();
  health.register('event-store', eventStoreCheck(store));
  let standIn: Server | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      const report = await health.report();
      if (report.ok) {
        if (attempt > 1) logger.log(`event store reachable after ${attempt} attempts; starting`);
        return;
      }
      const reason = report.components.find((c) => !c.ok)?.error ?? 'unknown error';
      const delay = backoffDelay(attempt, RETRY);
      logger.warn(`event store unreachable (${reason}); attempt ${attempt}, retrying in ${delay} ms`);
      standIn ??= await listenStandIn(config, service, health);
      await new Promise((r) => setTimeout(r, delay));
    }
  } finally {
    if (standIn) await closeServer(standIn);
    await store.close();
  }
}

async function listenStandIn(config: PlatformConfig, service: ServiceName, health: HealthRegistry): Promise<Server> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = req.url?.split('?')[0];
    if (req.method === 'GET' && (path === '/internal/health' || path === '/internal/ready')) {
      const live = path === '/internal/health';
      void health.report().then((report) => send(live || report.ok ? 200 : 503, { service, ...report } satisfies ServiceHealthBody));
      return;
    }
    send(503, { error: { code: 'unavailable', message: `${service} is waiting for its event store` } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(servicePort(config, service), config.PEIL_INTERNAL_HOST, () => resolve());
  });
  return server;
}

async function closeServer(server: Server): Promise<void> {
  // Kept-alive connections (the gateway's health polls) would hold close() open.
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}
