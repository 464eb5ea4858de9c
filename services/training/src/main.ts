import { bootstrapService, runMain } from '@peil/platform/nest';
import { TrainingModule } from './training.module';

runMain(() => bootstrapService('training', TrainingModule));
