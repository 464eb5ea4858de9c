import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, routeRoles, type Principal } from '@peil/platform/auth';
import { parseBatch } from '@peil/platform/submissions';
import { AssetTransferSubmissions } from '../application/asset-transfer.handlers';
import { AssetsQuery } from '../application/assets.query';

/** Who may submit asset-transfer events, over HTTP and over Kafka (submissionsConsumer). */
export const WRITERS = routeRoles('POST /v1/asset-transfer/events');

@Controller('v1/asset-transfer')
export class AssetTransferController {
  constructor(
    private readonly submissions: AssetTransferSubmissions,
    private readonly query: AssetsQuery,
  ) {}

  @Post('events')
  @HttpCode(200)
  async post(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { results: await this.submissions.processor.processBatch(parseBatch(body), principal) };
  }

  @Get('households/:householdId')
  async household(@Param('householdId') householdId: string) {
    const state = await this.query.household(householdId);
    if (!state) throw new NotFoundException({ error: { code: 'household_not_found', message: `household ${householdId} is not enrolled` } });
    return state;
  }

  @Get('catalogue')
  async catalogue() {
    return { items: await this.query.catalogue() };
  }
}
