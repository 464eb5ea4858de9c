import { Module } from '@nestjs/common';
import { PlatformModule, accessLogProvider } from '@peil/platform';
import { AccessLogController } from './http/access-log.controller';
import { LedgerController } from './http/ledger.controller';
import { RelayHost } from './relay/relay.host';

@Module({
  imports: [PlatformModule.forService('ledger')],
  controllers: [LedgerController, AccessLogController],
  providers: [RelayHost, accessLogProvider()],
})
export class LedgerModule {}
