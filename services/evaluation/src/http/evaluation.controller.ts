import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, routeRoles, type Principal } from '@peil/platform/auth';
import { parseBatch } from '@peil/platform/submissions';
import { EvaluationSubmissions } from '../application/evaluation.handlers';

/** Who may submit evaluation events, over HTTP and over Kafka (submissionsConsumer). */
export const WRITERS = routeRoles('POST /v1/evaluation/events');

@Controller('v1/evaluation')
export class EvaluationController {
  constructor(private readonly submissions: EvaluationSubmissions) {}

  @Post('events')
  @HttpCode(200)
  async post(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { results: await this.submissions.processor.processBatch(parseBatch(body), principal) };
  }

  @Get('households/:householdId')
  async household(@Param('householdId') householdId: string) {
    const { evaluation, expectedRevision } = await this.submissions.evaluation(householdId);
    if (expectedRevision === 'no_stream') throw new NotFoundException({ error: { code: 'no_surveys', message: `household ${householdId} has no survey` } });
    // A copy: the folded state may take later events before this answer is serialised.
    return { householdId, rounds: { ...evaluation.rounds }, revision: expectedRevision };
  }
}
