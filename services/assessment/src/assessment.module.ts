import { Module } from '@nestjs/common';
import { INTERNAL_TOKEN, InternalClient, PLATFORM_CONFIG, PlatformModule, intVar, loadConfig, serviceUrl, type PlatformConfig, submissionsConsumer } from '@peil/platform';
import { z } from 'zod';
import { ASSESSMENT_POLICY, GRANT_CLIENT, loadAssessmentPolicy } from './application/assessment-config';
import { AssessmentSubmissions } from './application/assessment.handlers';
import { AssessmentReads } from './application/context-reads';
import { GrantClient } from '../../grant/src';
import { LivelihoodQuery } from './application/livelihood.query';
import { PLAN_RECOVERY_GRACE_MS, PlanCommitmentRecovery } from './application/plan-commitment.recovery';
import { AssessmentController, WRITERS } from './http/assessment.controller';

const flowSchema = z.object({ PEIL_FLOW_GRACE_SECONDS: intVar(60, 1, 86_400) });

@Module({
  imports: [PlatformModule.forService('assessment')],
  controllers: [AssessmentController, submissionsConsumer({ context: 'assessment', writers: WRITERS, submissions: AssessmentSubmissions })],
  providers: [
    { provide: ASSESSMENT_POLICY, useFactory: () => loadAssessmentPolicy() },
    { provide: PLAN_RECOVERY_GRACE_MS, useFactory: () => loadConfig(flowSchema).PEIL_FLOW_GRACE_SECONDS * 1000 },
    {
      provide: GRANT_CLIENT,
      inject: [PLATFORM_CONFIG, INTERNAL_TOKEN],
      useFactory: (config: PlatformConfig, token: string) => new GrantClient(new InternalClient(serviceUrl(config, 'grant'), token, 'assessment')),
    },
    AssessmentReads,
    AssessmentSubmissions,
    LivelihoodQuery,
    PlanCommitmentRecovery,
  ],
})
export class AssessmentModule {}
