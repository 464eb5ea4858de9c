import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, QueryParams, Roles, parseBatch, truncated, type CallerRole, type Principal, type QueryValues } from '@peil/platform';
import { GrantSubmissions } from '../application/grant.handlers';
import { GrantQueries } from '../application/grant.queries';
import { ReconciliationQuery } from '../application/reconciliation.query';

/** Finance records grant events; other services (`system`) record commitments and expenditures through the same door. */
export const WRITERS: CallerRole[] = ['finance', 'admin', 'system'];
const READERS: CallerRole[] = ['finance', 'auditor', 'supervisor', 'donor', 'admin', 'system'];

@Controller('v1/grant')
export class GrantController {
  constructor(
    private readonly submissions: GrantSubmissions,
    private readonly queries: GrantQueries,
    private readonly reconciliation: ReconciliationQuery,
  ) {}

  @Post('events')
  @HttpCode(200)
  @Roles(...WRITERS)
  async post(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const events = parseBatch(body);
    return { results: await this.submissions.processor.processBatch(events, principal) };
  }

  @Get('budget-lines')
  @Roles(...READERS)
  async budgetLines() {
    return { budgetLines: await this.queries.budgetLines() };
  }

  @Get('expenditures')
  @Roles(...READERS)
  async expenditures(@QueryParams(['budgetLine']) { budgetLine }: QueryValues) {
    const expenditures = await this.queries.expenditures(budgetLine);
    if (!expenditures) throw new NotFoundException({ error: { code: 'unknown_budget_line', message: `no signed grant has a budget line ${truncated(String(budgetLine))}`, path: 'budgetLine' } });
    return { expenditures };
  }

  @Get('grants')
  @Roles(...READERS)
  async grants() {
    return { grants: await this.queries.grantSummaries() };
  }

  @Get('grants/:grantId')
  @Roles(...READERS)
  async grant(@Param('grantId') grantId: string) {
    const grant = await this.queries.grant(grantId);
    if (!grant) throw new NotFoundException({ error: { code: 'unknown_grant', message: `grant ${truncated(grantId)} is not signed`, path: 'grantId' } });
    return grant;
  }

  @Get('commitments/:commitmentId')
  @Roles(...READERS)
  async commitment(@Param('commitmentId') commitmentId: string) {
    const commitment = await this.queries.commitment(commitmentId);
    if (!commitment) throw new NotFoundException({ error: { code: 'unknown_commitment', message: `no commitment ${truncated(commitmentId)}`, path: 'commitmentId' } });
    return commitment;
  }

  @Get('reconciliation')
  @Roles(...READERS)
  async reconcile() {
    return this.reconciliation.report();
  }
}
