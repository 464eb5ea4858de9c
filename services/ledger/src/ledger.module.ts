import { Module } from '@nestjs/common';
import { PlatformModule } from '@peil/platform';
import { LedgerController } from './http/ledger.controller';
import { RelayHost } from './relay/relay.host';

@Module({
  imports: [PlatformModule.forService('ledger')],
  controllers: [LedgerController],
  providers: [RelayHost],
})
export class LedgerModule {}
