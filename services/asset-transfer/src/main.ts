import { bootstrapService, runMain } from '@peil/platform';
import { AssetTransferModule } from './asset-transfer.module';

runMain(() => bootstrapService('asset-transfer', AssetTransferModule));
