import { bootstrapService, runMain } from '@peil/platform/nest';
import { EnrolmentModule } from './enrolment.module';

runMain(() => bootstrapService('enrolment', EnrolmentModule));
