import { Module } from '@nestjs/common';
import { intVar, loadConfig } from '@peil/config';
import { grantClientProvider } from '@peil/platform/clients';
import { submissionsConsumer } from '@peil/platform/inbound';
import { PlatformModule } from '@peil/platform/nest';
import { z } from 'zod';
import { AssetReads } from './application/asset-reads';
import { AssetTransferSubmissions } from './application/asset-transfer.handlers';
import { AssetsQuery } from './application/assets.query';
import { DeliveryExpenditureRecovery, RECOVERY_INTERVAL_MS } from './application/delivery-expenditure.recovery';
import { DeliveryExpenditures } from './application/delivery-expenditures';
import { AssetTransferController, WRITERS } from './http/asset-transfer.controller';

const flowSchema = z.object({ PEIL_RECOVERY_INTERVAL_MS: intVar(5_000, 100, 3_600_000) });

@Module({
  imports: [PlatformModule.forService('asset-transfer')],
  controllers: [AssetTransferController, submissionsConsumer({ context: 'asset-transfer', writers: WRITERS, submissions: AssetTransferSubmissions })],
  providers: [
    { provide: RECOVERY_INTERVAL_MS, useFactory: () => loadConfig(flowSchema).PEIL_RECOVERY_INTERVAL_MS },
    grantClientProvider('asset-transfer'),
    AssetReads,
    DeliveryExpenditures,
    AssetTransferSubmissions,
    AssetsQuery,
    DeliveryExpenditureRecovery,
  ],
})
export class AssetTransferModule {}
