import 'reflect-metadata';
import type { Server } from 'node:http';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadInternalToken } from '@peil/platform/auth';
import { exitGracefullyOnSignals, LOG_LEVELS, shutdownTimeoutMs } from '@peil/platform/nest';
import { createLogger } from '@peil/platform/observability';
import { loadApiKeys } from './auth/api-keys';
import { limitConnections } from './http/connection-limits';
import { guardFraming } from './http/framing-guard';
import type { GatewayConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';


/**
 * The gateway application, not yet listening (main.ts and the integration test both use this, so
 * the test runs the real wiring). Keys and the internal token are loaded first: a bad key file
 * fails here with a ConfigError naming its source.
 */
export async function createGateway(config: GatewayConfig): Promise<INestApplication> {
  // Before anything logs: Nest would apply PEIL_LOG_LEVEL and the format only once the application exists.
  const rootLogger = createLogger('gateway', LOG_LEVELS[config.PEIL_LOG_LEVEL], config.PEIL_LOG_FORMAT);
  Logger.overrideLogger(rootLogger);
  const logger = new Logger('gateway');
  const { registry } = loadApiKeys(config, logger);
  const internalToken = loadInternalToken(config.dataDir);
  const app = await NestFactory.create(GatewayModule.forRoot({ config, registry, internalToken, logger: rootLogger }), {
    logger: rootLogger,
    // No body parsing: the proxy streams the raw body to the service and counts its bytes.
    bodyParser: false,
    // Throw instead of process.exit on a start error, so runMain reports it.
    abortOnError: false,
  });
  // Which framework answers is nobody's business (and a hint for attackers).
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');
  const server = app.getHttpServer() as Server;
  guardFraming(server, logger);
  limitConnections(
    server,
    // Longer than the upstream timeout, so a slow batch is answered 504 by the proxy rather than cut by the server.
    { ...config.connections, requestTimeoutMs: config.upstreamTimeoutMs + 30_000 },
    logger,
  );
  return app;
}

/** Starts listening on PEIL_HOST:PEIL_PORT and says where; SIGTERM drains it (requests in flight are answered). */
export async function startGateway(config: GatewayConfig): Promise<INestApplication> {
  const stopWithinMs = shutdownTimeoutMs();
  const app = await createGateway(config);
  exitGracefullyOnSignals(app, 'gateway', new Logger('gateway'), stopWithinMs);
  await app.listen(config.PEIL_PORT, config.PEIL_HOST);
  const address = (app.getHttpServer() as Server).address();
  const port = typeof address === 'object' && address ? address.port : config.PEIL_PORT;
  new Logger('gateway').log(`listening on http://${config.PEIL_HOST}:${port}/v1`);
  return app;
}
