import { bootstrapService, runMain } from '@peil/platform/nest';
import { AssessmentModule } from './assessment.module';

runMain(() => bootstrapService('assessment', AssessmentModule));
