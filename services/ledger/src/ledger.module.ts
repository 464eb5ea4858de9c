import { Module } from '@nestjs/common';
import { PlatformModule } from '@peil/platform';
import { LedgerController } from './http/ledger.controller';

@Module({
  imports: [PlatformModule.forService('ledger')],
  controllers: [LedgerController],
})
export class LedgerModule {}
