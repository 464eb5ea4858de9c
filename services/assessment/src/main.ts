import { bootstrapService, runMain } from '@peil/platform';
import { AssessmentModule } from './assessment.module';

runMain(() => bootstrapService('assessment', AssessmentModule));
