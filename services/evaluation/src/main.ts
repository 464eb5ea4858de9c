import { bootstrapService, runMain } from '@peil/platform/nest';
import { EvaluationModule } from './evaluation.module';

runMain(() => bootstrapService('evaluation', EvaluationModule));
