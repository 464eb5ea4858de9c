import { bootstrapService, runMain } from '@peil/platform';
import { LedgerModule } from './ledger.module';

runMain(() => bootstrapService('ledger', LedgerModule));
