import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/roles.guard';
import { HealthRegistry, type ServiceHealthBody } from './health.registry';
import { SERVICE_NAME } from './tokens';

/**
 * Readiness of one service, polled by the gateway's /v1/health: each component it depends on
 * (always `event-store`) with the reason when it is down; 503 when any is.
 */
@Controller('internal/health')
export class HealthController {
  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    private readonly health: HealthRegistry,
  ) {}

  @Public()
  @Get()
  @Header('cache-control', 'no-store')
  async get(@Res({ passthrough: true }) res: Response): Promise<ServiceHealthBody> {
    const report = await this.health.report();
    res.status(report.ok ? 200 : 503);
    return { service: this.service, ...report };
  }
}
