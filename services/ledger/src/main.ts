import { bootstrapService, runMain } from '@peil/platform/nest';
import { LedgerModule } from './ledger.module';

runMain(() => bootstrapService('ledger', LedgerModule));
