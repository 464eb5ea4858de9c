import { Module } from '@nestjs/common';
import { intVar, loadConfig } from '@peil/config';
import { submissionsConsumer } from '@peil/platform/inbound';
import { PlatformModule } from '@peil/platform/nest';
import { z } from 'zod';
import { EVALUATION_POLICY, EvaluationSubmissions } from './application/evaluation.handlers';
import { EvaluationController, WRITERS } from './http/evaluation.controller';

const schema = z.object({ PEIL_ENDLINE_MIN_MONTHS: intVar(12, 0, 120) });

@Module({
  imports: [PlatformModule.forService('evaluation')],
  controllers: [EvaluationController, submissionsConsumer({ context: 'evaluation', writers: WRITERS, submissions: EvaluationSubmissions })],
  providers: [
    { provide: EVALUATION_POLICY, useFactory: () => ({ endlineMinMonths: loadConfig(schema).PEIL_ENDLINE_MIN_MONTHS }) },
    EvaluationSubmissions,
  ],
})
export class EvaluationModule {}
