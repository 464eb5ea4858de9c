import { Module } from '@nestjs/common';
import { intVar, loadConfig } from '@peil/config';
import { grantClientProvider } from '@peil/platform/clients';
import { submissionsConsumer } from '@peil/platform/inbound';
import { PlatformModule } from '@peil/platform/nest';
import { z } from 'zod';
import { SessionExpenditures } from './application/session-expenditures';
import { RECOVERY_INTERVAL_MS } from './application/tokens';
import { TrainingSubmissions } from './application/training.handlers';
import { TrainingReads } from './application/training-reads';
import { TrainingController, WRITERS } from './http/training.controller';

const flowSchema = z.object({ PEIL_RECOVERY_INTERVAL_MS: intVar(5_000, 100, 3_600_000) });

@Module({
  imports: [PlatformModule.forService('training')],
  controllers: [TrainingController, submissionsConsumer({ context: 'training', writers: WRITERS, submissions: TrainingSubmissions })],
  providers: [
    { provide: RECOVERY_INTERVAL_MS, useFactory: () => loadConfig(flowSchema).PEIL_RECOVERY_INTERVAL_MS },
    grantClientProvider('training'),
    TrainingReads,
    SessionExpenditures,
    TrainingSubmissions,
  ],
})
export class TrainingModule {}
