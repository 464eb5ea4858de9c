import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ServiceHealth, type HealthReport } from './service-health';

/** GET /v1/health, open without a key so that load balancers and `npm start` can poll it. */
@Controller('v1/health')
export class HealthController {
  constructor(private readonly health: ServiceHealth) {}

  @Get()
  @Header('cache-control', 'no-store')
  async get(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report.ok ? 200 : 503);
    return report;
  }
}
