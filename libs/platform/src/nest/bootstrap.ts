import 'reflect-metadata';
import { Logger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadPlatformConfig, servicePort, type PlatformConfig, type ServiceName } from '../config/platform.config';
import { ConfigError } from '@peil/config';
import { jsonBody } from '../http/json-body';
import { untilEventStoreReachable } from './event-store.wait';
import { HealthRegistry } from './health.registry';
import { submissionsServerFromEnv } from '../inbound/submissions-from-env';
import { createLogger } from '../observability/json-logger';
import { withRequestId } from '../observability/request-context';
import { GATEWAY_HEADERS } from '../auth/roles';
import { httpMetricsMiddleware } from '../observability/http-metrics';
import type { ServiceMetrics } from '../observability/metrics';
import { METRICS } from './tokens';
import { exitGracefullyOnSignals, shutdownTimeoutMs } from './shutdown';

export const LOG_LEVELS: Record<PlatformConfig['PEIL_LOG_LEVEL'], LogLevel[]> = {
  error: ['error', 'fatal'],
  warn: ['error', 'fatal', 'warn'],
  log: ['error', 'fatal', 'warn', 'log'],
  debug: ['error', 'fatal', 'warn', 'log', 'debug', 'verbose'],
};

/**
 * Starts one service on its port (PEIL_INTERNAL_HOST, loopback by default), once its event store
 * answers. Services never face clients directly: the gateway has already limited the body size,
 * so this parser limit only guards against a runaway peer. With PEIL_BUS=kafka a writing context
 * also consumes its `peil.<context>.submissions` (decision 0014), connecting in the background.
 * SIGTERM drains it within PEIL_SHUTDOWN_TIMEOUT_MS (decision 0065).
 */
export async function bootstrapService(name: ServiceName, module: unknown): Promise<INestApplication> {
  const config = loadPlatformConfig();
  const stopWithinMs = shutdownTimeoutMs();
  // Before the application exists: the wait below logs in the configured form and level too.
  const logger = createLogger(name, LOG_LEVELS[config.PEIL_LOG_LEVEL], config.PEIL_LOG_FORMAT);
  Logger.overrideLogger(logger);
  // Before the wait: a bad bus or principals variable stops the start at once.
  const submissions = submissionsServerFromEnv(name);
  await untilEventStoreReachable(config, name);
  const app = await NestFactory.create(module as never, {
    logger,
    bodyParser: false,
    // Throw instead of exiting 1 on a start error: a configuration error read by an async factory
    // (decision 0057) must reach runMain and end the process with 78, which stops the whole system.
    abortOnError: false,
  });
  app.use(httpMetricsMiddleware(app.get<ServiceMetrics>(METRICS)));
  // Every log line written while serving a request carries the gateway's request id.
  app.use((req: { headers: Record<string, string | string[] | undefined> }, _res: unknown, next: () => void) => {
    const id = req.headers[GATEWAY_HEADERS.requestId];
    if (typeof id === 'string' && id !== '') withRequestId(id, next);
    else next();
  });
  app.use(jsonBody({ limitBytes: 64 * 1024 * 1024, maxDepth: config.PEIL_MAX_JSON_DEPTH }));
  (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');
  // Not Nest's enableShutdownHooks: it stops projectors before the HTTP server and dies of the signal.
  exitGracefullyOnSignals(app, name, logger, stopWithinMs);
  if (submissions) {
    app.get(HealthRegistry).register('submissions', submissions.check);
    app.connectMicroservice({ strategy: submissions });
    await app.startAllMicroservices();
  }
  await app.listen(servicePort(config, name), config.PEIL_INTERNAL_HOST);
  new Logger(name).log(`listening on ${config.PEIL_INTERNAL_HOST}:${servicePort(config, name)}`);
  return app;
}

/** main.ts helper: a configuration error ends the process with its message and exit code 78 (EX_CONFIG). */
export function runMain(start: () => Promise<unknown>): void {
  start().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
