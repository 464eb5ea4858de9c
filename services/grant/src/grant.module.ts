import { Module } from '@nestjs/common';
import { PlatformModule } from '@peil/platform';
import { GrantRegistry } from './application/grant-registry';
import { GrantSubmissions } from './application/grant.handlers';
import { GrantQueries } from './application/grant.queries';
import { GrantRepository } from './application/grant.repository';
import { ReconciliationQuery } from './application/reconciliation.query';
import { GrantController } from './http/grant.controller';

@Module({
  imports: [PlatformModule.forService('grant')],
  controllers: [GrantController],
  providers: [GrantRegistry, GrantRepository, GrantSubmissions, GrantQueries, ReconciliationQuery],
})
export class GrantModule {}
