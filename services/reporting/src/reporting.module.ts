import { Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@peil/ledger';
import { EVENT_STORE, KEY_STORE, PLATFORM_CONFIG, PlatformModule, type HouseholdKeyStore, type PlatformConfig } from '@peil/platform';
import { SqliteReadStore, type ReadStore } from '@peil/projections';
import { join } from 'node:path';
import { householdRefFunction } from './application/household-ref';
import { ReportEngine } from './application/report-engine';
import { REPORT_ENGINE, ReportsController } from './http/reports.controller';

export const READ_STORE = Symbol('ReadStore');
export const readModelsFile = (dataDir: string) => join(dataDir, 'read-models.sqlite');

class ReportingLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(REPORT_ENGINE) private readonly engine: ReportEngine,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}
  async onApplicationBootstrap(): Promise<void> {
    // Resume from the checkpoint: after a crash the read models continue exactly where they stopped.
    await this.engine.catchUp();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.readStore.close();
  }
}

@Module({
  imports: [PlatformModule.forService('reporting')],
  controllers: [ReportsController],
  providers: [
    { provide: READ_STORE, inject: [PLATFORM_CONFIG], useFactory: (config: PlatformConfig) => new SqliteReadStore(readModelsFile(config.dataDir)) },
    {
      provide: REPORT_ENGINE,
      inject: [EVENT_STORE, READ_STORE, KEY_STORE],
      useFactory: (store: EventStore, readStore: ReadStore, keys: HouseholdKeyStore) => new ReportEngine(store, readStore, householdRefFunction(keys.digestKey())),
    },
    ReportingLifecycle,
  ],
})
export class ReportingModule {}
