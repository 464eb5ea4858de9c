import { bootstrapService, runMain } from '@peil/platform';
import { TrainingModule } from './training.module';

runMain(() => bootstrapService('training', TrainingModule));
