import 'reflect-metadata';
import { Logger, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { json } from 'express';
import { loadPlatformConfig, servicePort, type ServiceName } from '../config/platform.config';
import { ConfigError } from '@peil/config';

const LEVELS: Record<string, LogLevel[]> = {
  error: ['error', 'fatal'],
  warn: ['error', 'fatal', 'warn'],
  log: ['error', 'fatal', 'warn', 'log'],
  debug: ['error', 'fatal', 'warn', 'log', 'debug', 'verbose'],
};

/**
 * Starts one service on its loopback port. Services never face clients directly: the gateway
 * has already limited the body size, so this parser limit only guards against a runaway peer.
 */
export async function bootstrapService(name: ServiceName, module: unknown): Promise<INestApplication> {
  const config = loadPlatformConfig();
  const app = await NestFactory.create(module as never, {
    logger: LEVELS[config.PEIL_LOG_LEVEL],
    bodyParser: false,
  });
  app.use(json({ limit: '64mb' }));
  app.enableShutdownHooks();
  await app.listen(servicePort(config, name), '127.0.0.1');
  new Logger(name).log(`listening on 127.0.0.1:${servicePort(config, name)}`);
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
