import { Module } from '@nestjs/common';
import { INTERNAL_TOKEN, InternalClient, PLATFORM_CONFIG, PlatformModule, intVar, loadConfig, serviceUrl, type PlatformConfig, submissionsConsumer } from '@peil/platform';
import { z } from 'zod';
import { GrantClient } from '../../grant/src';
import { SessionExpenditures } from './application/session-expenditures';
import { GRANT_CLIENT, RECOVERY_INTERVAL_MS } from './application/tokens';
import { TrainingSubmissions } from './application/training.handlers';
import { TrainingReads } from './application/training-reads';
import { TrainingController, WRITERS } from './http/training.controller';

const flowSchema = z.object({ PEIL_RECOVERY_INTERVAL_MS: intVar(5_000, 100, 3_600_000) });

@Module({
  imports: [PlatformModule.forService('training')],
  controllers: [TrainingController, submissionsConsumer({ context: 'training', writers: WRITERS, submissions: TrainingSubmissions })],
  providers: [
    { provide: RECOVERY_INTERVAL_MS, useFactory: () => loadConfig(flowSchema).PEIL_RECOVERY_INTERVAL_MS },
    {
      provide: GRANT_CLIENT,
      inject: [PLATFORM_CONFIG, INTERNAL_TOKEN],
      useFactory: (config: PlatformConfig, token: string) => new GrantClient(new InternalClient(serviceUrl(config, 'grant'), token, 'training')),
    },
    TrainingReads,
    SessionExpenditures,
    TrainingSubmissions,
  ],
})
export class TrainingModule {}
