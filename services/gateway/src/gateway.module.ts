import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { INTERNAL_TOKEN, RouteTemplates } from '@peil/platform/auth';
import { ApiExceptionFilter } from '@peil/platform/http';
import { METRICS } from '@peil/platform/nest';
import { ServiceMetrics } from '@peil/platform/observability';
import type { LoggerService } from '@nestjs/common';
import { AccessLog } from './edge/access-log';
import { MetricsAggregator } from './edge/metrics-aggregator';
import { KeyRegistry } from '@peil/platform/auth';
import { DashboardAssets } from './dashboard/dashboard-assets';
import type { GatewayConfig } from './gateway.config';
import { GatewayMiddleware } from './gateway.middleware';
import { GATEWAY_CONFIG, OPENAPI_DOCUMENT, ROUTE_TEMPLATES } from './gateway.tokens';
import { HealthController } from './health/health.controller';
import { ServiceHealth } from './health/service-health';
import { DocsController } from './openapi/docs.controller';
import { buildOpenApiDocument } from './openapi/openapi.document';
import { ServiceProxy } from './proxy/service-proxy';

export interface GatewayOptions {
  config: GatewayConfig;
  /** Opened (and configured keys imported) before the module is built; closed with the application. */
  registry: KeyRegistry;
  internalToken: string;
  /** Where access lines go (the process's logger: JSON lines by default). */
  logger: LoggerService;
}

/**
 * The single entry point: API-key authentication and streaming proxy (middleware), plus the
 * gateway's own public routes (health, docs). Keys and token are loaded before the module is
 * built, so a bad configuration ends the start with its message instead of a DI error.
 */
@Module({})
export class GatewayModule implements NestModule {
  static forRoot(options: GatewayOptions): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [HealthController, DocsController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: options.config },
        { provide: INTERNAL_TOKEN, useValue: options.internalToken },
        // A factory provider, so that Nest calls its shutdown hook (closing the registry file).
        { provide: KeyRegistry, useFactory: () => options.registry },
        // Built once at start: the document is a pure function of the code, and a broken section should fail the start.
        { provide: OPENAPI_DOCUMENT, useValue: buildOpenApiDocument() },
        { provide: ROUTE_TEMPLATES, inject: [OPENAPI_DOCUMENT], useFactory: (doc: { paths: Record<string, object> }) => new RouteTemplates(doc.paths) },
        { provide: METRICS, useFactory: () => new ServiceMetrics('gateway') },
        { provide: AccessLog, useFactory: () => new AccessLog(options.logger) },
        {
          provide: MetricsAggregator,
          inject: [METRICS],
          useFactory: (metrics: ServiceMetrics) => new MetricsAggregator(options.config, options.internalToken, metrics),
        },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        // Read once at start from dist/dashboard (npm run build writes it).
        { provide: DashboardAssets, useFactory: () => new DashboardAssets() },
        ServiceProxy,
        ServiceHealth,
        GatewayMiddleware,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Every path: the middleware itself lets only the public routes through to the controllers.
    consumer.apply(GatewayMiddleware).forRoutes('{*path}');
  }
}
