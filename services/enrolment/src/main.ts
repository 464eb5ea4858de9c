import { bootstrapService, runMain } from '@peil/platform';
import { EnrolmentModule } from './enrolment.module';

runMain(() => bootstrapService('enrolment', EnrolmentModule));
