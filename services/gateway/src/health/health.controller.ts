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
  async live(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report.live ? 200 : 503);
    return { ok: report.live, ...report };
  }

  @Get('ready')
  @Header('cache-control', 'no-store')
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report.ready ? 200 : 503);
    return { ok: report.ready, ...report };
  }
}
