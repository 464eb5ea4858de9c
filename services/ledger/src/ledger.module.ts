import { Module } from '@nestjs/common';
import { PlatformModule, accessLogProvider } from '@peil/platform/nest';
import { AccessLogController } from './http/access-log.controller';
import { LedgerController } from './http/ledger.controller';
import { TransparencyController } from './http/transparency.controller';
import { RelayHost } from './relay/relay.host';
import { TreeHost } from './tree/tree.host';

@Module({
  imports: [PlatformModule.forService('ledger')],
  controllers: [LedgerController, AccessLogController, TransparencyController],
  providers: [RelayHost, TreeHost, accessLogProvider()],
})
export class LedgerModule {}
