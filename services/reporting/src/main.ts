import { bootstrapService, runMain } from '@peil/platform';
import { ReportingModule } from './reporting.module';

runMain(() => bootstrapService('reporting', ReportingModule));
