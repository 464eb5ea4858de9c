import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, routeRoles, type Principal } from '@peil/platform/auth';
import { parseBatch } from '@peil/platform/submissions';
import { TrainingSubmissions } from '../application/training.handlers';
import { TrainingReads } from '../application/training-reads';

/** Who may submit training events, over HTTP and over Kafka (submissionsConsumer). */
export const WRITERS = routeRoles('POST /v1/training/events');

@Controller('v1/training')
export class TrainingController {
  constructor(
    private readonly submissions: TrainingSubmissions,
    private readonly reads: TrainingReads,
  ) {}

  @Post('events')
  @HttpCode(200)
  async post(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return { results: await this.submissions.processor.processBatch(parseBatch(body), principal) };
  }

  /** Sessions attended per module, coaching visits and nudges of one household. */
  @Get('households/:householdId')
  async household(@Param('householdId') householdId: string) {
    const household = await this.reads.household(householdId);
    if (household.status === 'unknown') throw new NotFoundException({ error: { code: 'household_not_found', message: `household ${householdId} is not enrolled` } });
    const { participation, expectedRevision } = await this.submissions.participation(householdId);
    const attendedPerModule: Record<string, number> = {};
    for (const a of participation.attended.values()) attendedPerModule[a.module] = (attendedPerModule[a.module] ?? 0) + 1;
    return {
      householdId,
      householdStatus: household.status,
      attendedPerModule,
      sessions: [...participation.attended].map(([sessionId, a]) => ({ sessionId, ...a })),
      outsidePlan: [...participation.attended].filter(([, a]) => !a.inPlan).map(([sessionId, a]) => ({ sessionId, module: a.module })),
      coachingVisits: participation.coachingVisits.size,
      nudges: [...participation.nudges].map(([nudgeId, n]) => ({ nudgeId, ...n })),
      revision: expectedRevision,
    };
  }
}
