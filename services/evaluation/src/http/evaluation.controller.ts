import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, Roles, parseBatch, type CallerRole, type Principal } from '@peil/platform';
import { EvaluationSubmissions } from '../application/evaluation.handlers';

/** Who may submit evaluation events, over HTTP and over Kafka (submissionsConsumer). */
export const WRITERS: CallerRole[] = ['ngo', 'admin'];

@Controller('v1/evaluation')
export class EvaluationController {
  constructor(private readonly submissions: EvaluationSubmissions) {}

  @Post('events')
  @HttpCode(200)
  @Roles(...WRITERS)
  async post(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { results: await this.submissions.processor.processBatch(parseBatch(body), principal) };
  }

  @Get('households/:householdId')
  @Roles('ngo', 'supervisor', 'auditor', 'admin', 'system')
  async household(@Param('householdId') householdId: string) {
    const { evaluation, expectedRevision } = await this.submissions.evaluation(householdId);
    if (expectedRevision === 'no_stream') throw new NotFoundException({ error: { code: 'no_surveys', message: `household ${householdId} has no survey` } });
    // A copy: the folded state may take later events before this answer is serialised.
    return { householdId, rounds: { ...evaluation.rounds }, revision: expectedRevision };
  }
}
