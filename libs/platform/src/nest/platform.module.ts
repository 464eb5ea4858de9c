import { BeforeApplicationShutdown, DynamicModule, Global, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { EventStore } from '@peil/ledger';
import { loadInternalToken } from '../auth/internal-token';
import { INTERNAL_TOKEN, RolesGuard } from '../auth/roles.guard';
import { CLOCK, systemClock } from '../clock/clock';
import { loadPlatformConfig, type PlatformConfig, type ServiceName } from '../config/platform.config';
import { ApiExceptionFilter } from '../http/http-exception.filter';
import { PersonalDataProtector, type HouseholdKeyStore } from '../privacy';
import { ledgerFeedsProvider } from '../flows/ledger-feeds.provider';
import { IntegrityMonitor } from '../integrity/integrity.monitor';
import { IntegrityStatus } from '../integrity/integrity.status';
import { IntegrityWriteGuard } from '../integrity/integrity-write.guard';
import { createEventStore, eventStoreCheck, integrityPointFile } from './event-store.factory';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health.registry';
import { openKeyStore } from './key-store.factory';
import { DIGEST_KEY, EVENT_STORE, KEY_STORE, LEDGER_FEEDS, METRICS, PERSONAL_DATA, PLATFORM_CONFIG, SERVICE_NAME } from './tokens';
import { observeAppends } from '@peil/ledger';
import { ServiceMetrics } from '../observability/metrics';
import { MetricsController } from '../observability/metrics.controller';

class LedgerLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(KEY_STORE) private readonly keys: HouseholdKeyStore,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    // Closing checkpoints SQLite's WAL into the main file, so a stopped system is one file per store.
    await this.store.close();
    await this.keys.close();
  }
}

/** The integrity monitor runs from bootstrap until just before the ledger closes. */
class IntegrityLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(IntegrityMonitor) private readonly monitor: IntegrityMonitor) {}
  onApplicationBootstrap(): void {
    this.monitor.start();
  }
  async beforeApplicationShutdown(): Promise<void> {
    await this.monitor.stop();
  }
}

/**
 * What every service gets: validated configuration, the ledger, the clock, the key store for
 * personal data, the gateway-token guard with role checks, the error format, liveness and readiness
 * routes reporting every component registered with HealthRegistry, and the ledger's integrity: a
 * monitor verifying the chain continuously (component `integrity`, fed by IntegrityStatus) and a
 * guard refusing writes while a fault is held.
 */
@Global()
@Module({})
export class PlatformModule {
  /**
   * Declares the providers only: configuration, keys and files are read by their factories when the
   * application is created (bootstrap), never while the importing module's decorators are evaluated.
   * `overrides.config` replaces the environment's configuration (tests).
   */
  static forService(service: ServiceName, overrides: { config?: PlatformConfig } = {}): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: PLATFORM_CONFIG, useFactory: () => overrides.config ?? loadPlatformConfig() },
        // A factory, not a value: each application built from this module gets its own checks.
        { provide: HealthRegistry, useFactory: () => new HealthRegistry() },
        { provide: METRICS, useFactory: () => new ServiceMetrics(service) },
        {
          provide: EVENT_STORE,
          inject: [PLATFORM_CONFIG, HealthRegistry, IntegrityStatus, METRICS],
          useFactory: (config: PlatformConfig, health: HealthRegistry, integrity: IntegrityStatus, metrics: ServiceMetrics) => {
            const store = observeAppends(createEventStore(config), (_stream, events, appended, seconds) => {
              metrics.appendSeconds.observe({ context: service }, seconds);
              appended.forEach((a, i) => {
                if (a.status === 'appended') metrics.eventsAppended.inc({ context: service, type: events[i]?.type ?? 'unknown' });
              });
            });
            health.register('event-store', eventStoreCheck(store));
            // Registered with the store, so every service lists it second, whatever else it adds.
            health.register('integrity', () => integrity.check());
            metrics.gauge('peil_ledger_head_position', 'Position of the newest event in the ledger', () => store.headPosition());
            metrics.gauge('peil_integrity_ok', 'Whether this service finds the ledger intact (1) or holds an integrity fault (0)', async () => ((await integrity.check().then(() => true, () => false)) ? 1 : 0));
            return store;
          },
        },
        { provide: IntegrityStatus, useFactory: () => new IntegrityStatus() },
        {
          provide: IntegrityMonitor,
          inject: [PLATFORM_CONFIG, EVENT_STORE, IntegrityStatus],
          useFactory: (config: PlatformConfig, store: EventStore, integrity: IntegrityStatus) => {
            return new IntegrityMonitor(store, integrity, {
              intervalMs: config.PEIL_INTEGRITY_INTERVAL_MS,
              pointFile: integrityPointFile(config.dataDir, service),
              log: new Logger('integrity'),
            });
          },
        },
        IntegrityLifecycle,
        { provide: CLOCK, useValue: systemClock },
        { provide: INTERNAL_TOKEN, inject: [PLATFORM_CONFIG], useFactory: (config: PlatformConfig) => loadInternalToken(config.dataDir) },
        // Async: the MongoDB key store connects before the application is created.
        {
          provide: KEY_STORE,
          inject: [PLATFORM_CONFIG, HealthRegistry],
          useFactory: async (config: PlatformConfig, health: HealthRegistry) => {
            const keys = await openKeyStore(config);
            // A file in the data dir is checked with the ledger; a server is a component of its own.
            if (config.PEIL_KEY_STORE === 'mongo') health.register('key-store', () => keys.ping());
            return keys;
          },
        },
        { provide: DIGEST_KEY, inject: [KEY_STORE], useFactory: (keys: HouseholdKeyStore) => keys.digestKey() },
        { provide: PERSONAL_DATA, inject: [KEY_STORE], useFactory: (keys: HouseholdKeyStore) => new PersonalDataProtector(keys) },
        ledgerFeedsProvider(service),
        { provide: APP_GUARD, useClass: RolesGuard },
        // After RolesGuard: an unauthenticated caller learns nothing of the ledger's state.
        { provide: APP_GUARD, useClass: IntegrityWriteGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        LedgerLifecycle,
      ],
      exports: [METRICS, SERVICE_NAME, PLATFORM_CONFIG, HealthRegistry, IntegrityStatus, EVENT_STORE, CLOCK, INTERNAL_TOKEN, KEY_STORE, DIGEST_KEY, PERSONAL_DATA, LEDGER_FEEDS],
    };
  }
}
