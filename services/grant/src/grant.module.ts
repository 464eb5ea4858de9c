import { Module } from '@nestjs/common';
import { submissionsConsumer } from '@peil/platform/inbound';
import { PlatformModule } from '@peil/platform/nest';
import { GrantRegistry } from './application/grant-registry';
import { GrantSubmissions } from './application/grant.handlers';
import { GrantQueries } from './application/grant.queries';
import { GrantStreams } from './application/grant.streams';
import { ReconciliationQuery } from './application/reconciliation.query';
import { GrantController, WRITERS } from './http/grant.controller';

@Module({
  imports: [PlatformModule.forService('grant')],
  controllers: [GrantController, submissionsConsumer({ context: 'grant', writers: WRITERS, submissions: GrantSubmissions })],
  providers: [GrantRegistry, GrantStreams, GrantSubmissions, GrantQueries, ReconciliationQuery],
})
export class GrantModule {}
