import { loadPlatformConfig } from '@peil/platform/config';
import { bootstrapService, runMain } from '@peil/platform/nest';
import { loadReadStoreConfig } from '@peil/reports';
import { ReportingModule } from './reporting.module';

runMain(async () => {
  // Before Nest: a bad read-store variable ends the start with its name and exit code 78, like the others.
  loadReadStoreConfig(loadPlatformConfig().dataDir);
  return bootstrapService('reporting', ReportingModule);
});
