import { bootstrapService, runMain } from '@peil/platform';
import { GrantModule } from './grant.module';

runMain(() => bootstrapService('grant', GrantModule));
