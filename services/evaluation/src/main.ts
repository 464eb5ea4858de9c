import { bootstrapService, runMain } from '@peil/platform';
import { EvaluationModule } from './evaluation.module';

runMain(() => bootstrapService('evaluation', EvaluationModule));
