import { Module } from '@nestjs/common';
import { PlatformModule, submissionsConsumer } from '@peil/platform';
import { loadEnrolmentPolicy, ENROLMENT_POLICY } from './application/enrolment-config';
import { EnrolmentSubmissions } from './application/enrolment.handlers';
import { HouseholdQuery } from './application/household.query';
import { HouseholdRepository } from './application/household.repository';
import { ProgrammeRegistry } from './application/programme-registry';
import { EnrolmentController, WRITERS } from './http/enrolment.controller';

@Module({
  imports: [PlatformModule.forService('enrolment')],
  controllers: [EnrolmentController, submissionsConsumer({ context: 'enrolment', writers: WRITERS, submissions: EnrolmentSubmissions })],
  providers: [
    { provide: ENROLMENT_POLICY, useFactory: () => loadEnrolmentPolicy() },
    HouseholdRepository,
    ProgrammeRegistry,
    EnrolmentSubmissions,
    HouseholdQuery,
  ],
})
export class EnrolmentModule {}
