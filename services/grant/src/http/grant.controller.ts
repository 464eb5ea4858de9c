import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, routeRoles, type Principal } from '@peil/platform/auth';
import { QueryParams, truncated, type QueryValues } from '@peil/platform/http';
import { parseBatch } from '@peil/platform/submissions';
import { GrantSubmissions } from '../application/grant.handlers';
import { GrantQueries } from '../application/grant.queries';
import { ReconciliationQuery } from '../application/reconciliation.query';

/** Finance records grant events; other services (`system`) record commitments and expenditures through the same door. */
export const WRITERS = routeRoles('POST /v1/grant/events');

@Controller('v1/grant')
export class GrantController {
  constructor(
    private readonly submissions: GrantSubmissions,
    private readonly queries: GrantQueries,
    private readonly reconciliation: ReconciliationQuery,
  ) {}

  @Post('events')
  @HttpCode(200)
  async post(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const events = parseBatch(body);
    return { results: await this.submissions.processor.processBatch(events, principal) };
  }

  @Get('budget-lines')
  async budgetLines() {
    return { budgetLines: await this.queries.budgetLines() };
  }

  @Get('expenditures')
  async expenditures(@QueryParams(['budgetLine']) { budgetLine }: QueryValues) {
    const expenditures = await this.queries.expenditures(budgetLine);
    if (!expenditures) throw new NotFoundException({ error: { code: 'unknown_budget_line', message: `no signed grant has a budget line ${truncated(String(budgetLine))}`, path: 'budgetLine' } });
    return { expenditures };
  }

  @Get('grants')
  async grants() {
    return { grants: await this.queries.grantSummaries() };
  }

  @Get('grants/:grantId')
  async grant(@Param('grantId') grantId: string) {
    const grant = await this.queries.grant(grantId);
    if (!grant) throw new NotFoundException({ error: { code: 'unknown_grant', message: `grant ${truncated(grantId)} is not signed`, path: 'grantId' } });
    return grant;
  }

  @Get('commitments/:commitmentId')
  async commitment(@Param('commitmentId') commitmentId: string) {
    const commitment = await this.queries.commitment(commitmentId);
    if (!commitment) throw new NotFoundException({ error: { code: 'unknown_commitment', message: `no commitment ${truncated(commitmentId)}`, path: 'commitmentId' } });
    return commitment;
  }

  @Get('reconciliation')
  async reconcile() {
    return this.reconciliation.report();
  }
}
