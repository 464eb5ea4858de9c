import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/roles.guard';
import { HealthRegistry, type ServiceHealthBody } from './health.registry';
import { SERVICE_NAME } from './tokens';

/**
 * Liveness and readiness of one service, polled by the gateway's /v1/health and /v1/ready. Both
 * list each component the service depends on (always `event-store` and `integrity`) with the reason
 * when it is down. /internal/health answers 200 whenever the process answers — a process whose
 * ledger is found tampered is alive and must stay up for auditors; /internal/ready answers 503
 * while any component is down.
 */
@Controller('internal')
export class HealthController {
  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    private readonly health: HealthRegistry,
  ) {}

  @Public()
  @Get('health')
  @Header('cache-control', 'no-store')
  async live(): Promise<ServiceHealthBody> {
    return { service: this.service, ...(await this.health.report()) };
  }

  @Public()
  @Get('ready')
  @Header('cache-control', 'no-store')
  async ready(@Res({ passthrough: true }) res: Response): Promise<ServiceHealthBody> {
    const report = await this.health.report();
    res.status(report.ok ? 200 : 503);
    return { service: this.service, ...report };
  }
}
