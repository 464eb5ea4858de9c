import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { METRICS } from '../nest/tokens';
import type { ServiceMetrics } from './metrics';

/**
 * Prometheus exposition of this service, on its internal port (behind the gateway token like every
 * internal route). The gateway scrapes every service as JSON and serves the merge at `GET /metrics`.
 */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: ServiceMetrics) {}

  @Get()
  async get(@Res() res: Response, @Query('format') format?: string): Promise<void> {
    res.setHeader('cache-control', 'no-store');
    if (format === 'json') {
      res.status(200).json(await this.metrics.registry.getMetricsAsJSON());
      return;
    }
    res.status(200).setHeader('content-type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
