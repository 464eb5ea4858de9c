import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, routeRoles, type Principal } from '@peil/platform/auth';
import { parseBatch } from '@peil/platform/submissions';
import { AssessmentSubmissions } from '../application/assessment.handlers';
import { LivelihoodQuery } from '../application/livelihood.query';

/** Who may submit assessment events, over HTTP and over Kafka (submissionsConsumer). */
export const WRITERS = routeRoles('POST /v1/assessment/events');

@Controller('v1/assessment')
export class AssessmentController {
  constructor(
    private readonly submissions: AssessmentSubmissions,
    private readonly query: LivelihoodQuery,
  ) {}

  /** Field teams record assessments and profiles; MoSA supervisors may also approve plans. */
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

  @Get('markets/:district')
  async market(@Param('district') district: string) {
    const market = await this.query.market(district);
    if (!market) throw new NotFoundException({ error: { code: 'market_assessment_missing', message: `no market assessment of ${district}` } });
    return market;
  }
}
