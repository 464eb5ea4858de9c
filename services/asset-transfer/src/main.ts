import { bootstrapService, runMain } from '@peil/platform/nest';
import { AssetTransferModule } from './asset-transfer.module';

runMain(() => bootstrapService('asset-transfer', AssetTransferModule));
