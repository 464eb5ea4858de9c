import { Inject, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@peil/ledger';
import { EVENT_STORE, HealthRegistry, KEY_STORE, LEDGER_FEEDS, PLATFORM_CONFIG, PlatformModule, type HouseholdKeyStore, type PlatformConfig } from '@peil/platform';
import type { LedgerFeeds } from '@peil/projections';
import { loadAsOfSnapshotsConfig } from './application/as-of-snapshots.config';
import { householdRefFunction } from './application/household-ref';
import { ReportEngine } from './application/report-engine';
import { REPORT_ENGINE, ReportsController } from './http/reports.controller';
import { loadReadStoreConfig } from './read-store/read-store.config';
import { ReadStoreHost } from './read-store/read-store.host';
import { loadIatiPublisher } from './reports/iati.config';
import { loadFiscalYearStartMonth } from './reports/ifr.config';

export const READ_STORE = Symbol('ReadStore');

class ReportingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(REPORT_ENGINE) private readonly engine: ReportEngine,
    @Inject(READ_STORE) private readonly readStore: ReadStoreHost,
  ) {}
  onApplicationBootstrap(): void {
    // Follow the ledger from the checkpoints: after a crash the read models continue exactly where
    // they stopped. Once the read store is connected, in the background: a MongoDB still unreachable
    // must not hold the service's start (reports asOf a position need no read store).
    this.readStore.ready().then(
      () => this.engine.startLive(),
      () => undefined, // closed before it ever connected: the service is stopping
    );
  }
  async beforeApplicationShutdown(): Promise<void> {
    // Before the ledger, the feeds and the read store close (their onApplicationShutdown).
    await this.engine.stopLive();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.readStore.close();
  }
}

@Module({
  imports: [PlatformModule.forService('reporting')],
  controllers: [ReportsController],
  providers: [
    {
      provide: READ_STORE,
      inject: [PLATFORM_CONFIG, HealthRegistry],
      useFactory: (config: PlatformConfig, health: HealthRegistry) => {
        const host = new ReadStoreHost(loadReadStoreConfig(config.dataDir), { log: new Logger('read-store') });
        health.register('read-store', () => host.check());
        return host;
      },
    },
    {
      provide: REPORT_ENGINE,
      inject: [EVENT_STORE, READ_STORE, KEY_STORE, LEDGER_FEEDS],
      useFactory: (store: EventStore, readStore: ReadStoreHost, keys: HouseholdKeyStore, feeds: LedgerFeeds) =>
        new ReportEngine(store, readStore, householdRefFunction(keys.digestKey()), {
          source: feeds.feed('reports'),
          log: new Logger('projector'),
          ...loadAsOfSnapshotsConfig(),
          iatiPublisher: loadIatiPublisher(),
          fiscalYearStartMonth: loadFiscalYearStartMonth(),
        }),
    },
    ReportingLifecycle,
  ],
})
export class ReportingModule {}
