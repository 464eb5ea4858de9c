import { Module } from '@nestjs/common';
import { PlatformModule } from '@peil/platform';
import { LedgerController } from './http/ledger.controller';
import { TransparencyController } from './http/transparency.controller';
import { RelayHost } from './relay/relay.host';
import { TreeHost } from './tree/tree.host';

@Module({
  imports: [PlatformModule.forService('ledger')],
  controllers: [LedgerController, TransparencyController],
  providers: [RelayHost, TreeHost],
})
export class LedgerModule {}
