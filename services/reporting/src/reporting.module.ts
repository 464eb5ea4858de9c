import { Inject, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LedgerTree, SqliteTreeStore, type EventStore } from '@peil/ledger';
import { type PlatformConfig } from '@peil/platform/config';
import { IntegrityStatus } from '@peil/platform/integrity';
import { ledgerTreeFile } from '@peil/platform/ledger';
import { EVENT_STORE, HealthRegistry, KEY_STORE, LEDGER_FEEDS, METRICS, PLATFORM_CONFIG, PlatformModule } from '@peil/platform/nest';
import { type ServiceMetrics } from '@peil/platform/observability';
import { type HouseholdKeyStore } from '@peil/platform/privacy';
import type { LedgerFeeds } from '@peil/projections';
import { householdRefFunction, loadAsOfSnapshotsConfig, loadFiscalYearStartMonth, loadIatiPublisher, loadReadStoreConfig, READ_MODELS, ReportEngine } from '@peil/reports';
import { REPORT_ENGINE, ReportsController } from './http/reports.controller';
import { ReadStoreHost } from './read-store/read-store.host';

export const READ_STORE = Symbol('ReadStore');
/** The Merkle tree over the ledger (derived data, shared with the ledger service on the embedded profile), for the tree head reports cite. */
const LEDGER_TREE = Symbol('LedgerTree');

class ReportingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(REPORT_ENGINE) private readonly engine: ReportEngine,
    @Inject(READ_STORE) private readonly readStore: ReadStoreHost,
    @Inject(LEDGER_TREE) private readonly tree: LedgerTree,
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
    this.tree.nodes.close();
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
      provide: LEDGER_TREE,
      inject: [EVENT_STORE, PLATFORM_CONFIG],
      useFactory: (store: EventStore, config: PlatformConfig) => new LedgerTree(store, new SqliteTreeStore(ledgerTreeFile(config.dataDir))),
    },
    {
      provide: REPORT_ENGINE,
      inject: [EVENT_STORE, READ_STORE, KEY_STORE, LEDGER_FEEDS, IntegrityStatus, METRICS, LEDGER_TREE],
      useFactory: (store: EventStore, readStore: ReadStoreHost, keys: HouseholdKeyStore, feeds: LedgerFeeds, integrity: IntegrityStatus, metrics: ServiceMetrics, tree: LedgerTree) => {
        const engine = new ReportEngine(store, readStore, householdRefFunction(keys.digestKey()), {
          source: feeds.feed('reports'),
          log: new Logger('projector'),
          integrity,
          tree,
          ...loadAsOfSnapshotsConfig(),
          iatiPublisher: loadIatiPublisher(),
          fiscalYearStartMonth: loadFiscalYearStartMonth(),
        });
        // On every round of the integrity monitor, not only when a report is asked for: health and readiness name it.
        integrity.register(READ_MODELS, () => engine.readModelFault());
        // On EventStoreDB positions are log offsets: there the lag is in positions, not events.
        metrics.gaugeFamily('peil_projector_lag', 'Ledger positions a read model has not applied yet (head − checkpoint)', ['read_model'], async () =>
          (await engine.projectorLag()).map((l) => ({ labels: { read_model: l.readModel }, value: l.lag })),
        );
        return engine;
      },
    },
    ReportingLifecycle,
  ],
})
export class ReportingModule {}
