import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { EventStore } from '@peil/ledger';
import { loadInternalToken } from '../auth/internal-token';
import { INTERNAL_TOKEN, RolesGuard } from '../auth/roles.guard';
import { CLOCK, systemClock } from '../clock/clock';
import { loadPlatformConfig, type PlatformConfig, type ServiceName } from '../config/platform.config';
import { ApiExceptionFilter } from '../http/http-exception.filter';
import { HouseholdKeyStore, PersonalDataProtector, loadMasterKey } from '../privacy';
import { ledgerFeedsProvider } from '../flows/ledger-feeds.provider';
import { createEventStore, eventStoreCheck } from './event-store.factory';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health.registry';
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
    this.keys.close();
  }
}

/**
 * What every service gets: validated configuration, the ledger, the clock, the key store for
 * personal data, the gateway-token guard with role checks, the error format and a health route
 * reporting every component registered with HealthRegistry.
 */
@Global()
@Module({})
export class PlatformModule {
  static forService(service: ServiceName, overrides: { config?: PlatformConfig } = {}): DynamicModule {
    const config = overrides.config ?? loadPlatformConfig();
    const masterKey = loadMasterKey(process.env, config.dataDir);
    const keyStore = new HouseholdKeyStore(config.dataDir, masterKey);
    return {
      module: PlatformModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: PLATFORM_CONFIG, useValue: config },
        // A factory, not a value: each application built from this module gets its own checks.
        { provide: HealthRegistry, useFactory: () => new HealthRegistry() },
        { provide: METRICS, useFactory: () => new ServiceMetrics(service) },
        {
          provide: EVENT_STORE,
          inject: [HealthRegistry, METRICS],
          useFactory: (health: HealthRegistry, metrics: ServiceMetrics) => {
            const store = observeAppends(createEventStore(config), (_stream, events, appended, seconds) => {
              metrics.appendSeconds.observe({ context: service }, seconds);
              appended.forEach((a, i) => {
                if (a.status === 'appended') metrics.eventsAppended.inc({ context: service, type: events[i]?.type ?? 'unknown' });
              });
            });
            health.register('event-store', eventStoreCheck(store));
            metrics.gauge('peil_ledger_head_position', 'Position of the newest event in the ledger', () => store.headPosition());
            return store;
          },
        },
        { provide: CLOCK, useValue: systemClock },
        { provide: INTERNAL_TOKEN, useFactory: () => loadInternalToken(config.dataDir) },
        { provide: KEY_STORE, useValue: keyStore },
        { provide: DIGEST_KEY, useFactory: () => keyStore.digestKey() },
        { provide: PERSONAL_DATA, useFactory: () => new PersonalDataProtector(keyStore) },
        ledgerFeedsProvider(service),
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        LedgerLifecycle,
      ],
      exports: [METRICS, SERVICE_NAME, PLATFORM_CONFIG, HealthRegistry, EVENT_STORE, CLOCK, INTERNAL_TOKEN, KEY_STORE, DIGEST_KEY, PERSONAL_DATA, LEDGER_FEEDS],
    };
  }
}
