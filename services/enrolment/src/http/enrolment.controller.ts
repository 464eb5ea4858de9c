import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, routeRoles, type Principal } from '@peil/platform/auth';
import { EnrolmentSubmissions } from '../application/enrolment.handlers';
import { HouseholdQuery } from '../application/household.query';
import { parseBatch } from '@peil/platform/submissions';

/**
 * Who may reach the enrolment events route, over HTTP and over Kafka (submissionsConsumer): the union
 * of the roles of every type. Each type is then checked against its own roles (ENROLMENT_WRITERS).
 */
export const WRITERS = routeRoles('POST /v1/enrolment/events');

@Controller('v1/enrolment')
export class EnrolmentController {
  constructor(
    private readonly submissions: EnrolmentSubmissions,
    private readonly households: HouseholdQuery,
  ) {}

  @Post('events')
  @HttpCode(200)
  async post(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const events = parseBatch(body);
    return { results: await this.submissions.processor.processBatch(events, principal) };
  }

  @Get('households/:householdId')
  async household(@Param('householdId') householdId: string, @CurrentPrincipal() principal: Principal) {
    const household = await this.households.get(householdId, principal);
    if (!household) throw new NotFoundException({ error: { code: 'household_not_found', message: `household ${householdId} is not enrolled` } });
    return household;
  }
}
