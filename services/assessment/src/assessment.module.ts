import { Module } from '@nestjs/common';
import { intVar, loadConfig } from '@peil/config';
import { grantClientProvider } from '@peil/platform/clients';
import { submissionsConsumer } from '@peil/platform/inbound';
import { PlatformModule } from '@peil/platform/nest';
import { z } from 'zod';
import { ASSESSMENT_POLICY, loadAssessmentPolicy } from './application/assessment-config';
import { AssessmentSubmissions } from './application/assessment.handlers';
import { AssessmentReads } from './application/context-reads';
import { LivelihoodQuery } from './application/livelihood.query';
import { PlanFunds } from './application/plan-funds';
import { PLAN_RECOVERY_GRACE_MS, PlanCommitmentRecovery } from './application/plan-commitment.recovery';
import { AssessmentController, WRITERS } from './http/assessment.controller';

const flowSchema = z.object({ PEIL_FLOW_GRACE_SECONDS: intVar(60, 1, 86_400) });

@Module({
  imports: [PlatformModule.forService('assessment')],
  controllers: [AssessmentController, submissionsConsumer({ context: 'assessment', writers: WRITERS, submissions: AssessmentSubmissions })],
  providers: [
    { provide: ASSESSMENT_POLICY, useFactory: () => loadAssessmentPolicy() },
    { provide: PLAN_RECOVERY_GRACE_MS, useFactory: () => loadConfig(flowSchema).PEIL_FLOW_GRACE_SECONDS * 1000 },
    grantClientProvider('assessment'),
    AssessmentReads,
    PlanFunds,
    AssessmentSubmissions,
    LivelihoodQuery,
    PlanCommitmentRecovery,
  ],
})
export class AssessmentModule {}
