import { bootstrapService, runMain } from '@peil/platform/nest';
import { GrantModule } from './grant.module';

runMain(() => bootstrapService('grant', GrantModule));
