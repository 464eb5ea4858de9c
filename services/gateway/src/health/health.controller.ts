import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ServiceHealth, type HealthReport } from './service-health';

/**
 * GET /v1/health (liveness) and GET /v1/ready (readiness), open without a key so that load
 * balancers, orchestrators and `npm start` can poll them. Same body; each route's `ok` and status
 * code give its own verdict.
 */
@Controller('v1')
export class HealthController {
  constructor(private readonly health: ServiceHealth) {}

  @Get('health')
  @Header('cache-control', 'no-store')
  live(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    return this.verdict(res, 'live');
  }

  @Get('ready')
  @Header('cache-control', 'no-store')
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    return this.verdict(res, 'ready');
  }

  private async verdict(res: Response, which: 'live' | 'ready'): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report[which] ? 200 : 503);
    return { ok: report[which], ...report };
  }
}
