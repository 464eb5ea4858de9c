import { Module } from '@nestjs/common';
import { submissionsConsumer } from '@peil/platform/inbound';
import { PlatformModule, accessLogProvider } from '@peil/platform/nest';
import { loadEnrolmentPolicy, ENROLMENT_POLICY } from './application/enrolment-config';
import { EnrolmentSubmissions } from './application/enrolment.handlers';
import { EssnPseudonyms } from './application/essn-pseudonyms';
import { HouseholdShredder } from './application/household-shredder';
import { HouseholdQuery } from './application/household.query';
import { ProgrammeRegistry } from './application/programme-registry';
import { EnrolmentController, WRITERS } from './http/enrolment.controller';

@Module({
  imports: [PlatformModule.forService('enrolment')],
  controllers: [EnrolmentController, submissionsConsumer({ context: 'enrolment', writers: WRITERS, submissions: EnrolmentSubmissions })],
  providers: [
    { provide: ENROLMENT_POLICY, useFactory: () => loadEnrolmentPolicy() },
    EssnPseudonyms,
    HouseholdShredder,
    ProgrammeRegistry,
    EnrolmentSubmissions,
    HouseholdQuery,
    accessLogProvider(),
  ],
})
export class EnrolmentModule {}
