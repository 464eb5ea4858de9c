import { Logger } from '@nestjs/common';
import { GATEWAY_HEADERS } from '@peil/platform/auth';
import { SERVICES, serviceUrl, type ServiceName } from '@peil/platform/config';
import { type ServiceMetrics } from '@peil/platform/observability';
import { AggregatorRegistry, Gauge, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { GatewayConfig } from '../gateway.config';

type MetricsJson = Array<MetricObjectWithValues<MetricValue<string>>>;

/**
 * `GET /metrics` at the gateway: its own metrics and every service's, merged into one exposition.
 * Each service labels its series with `service`, so merging never adds two services' values
 * together. A service that does not answer within the timeout is left out and counted in
 * `peil_metrics_scrape_failures` — a scrape must not hang on one dead process.
 */
export class MetricsAggregator {
  private readonly logger = new Logger('metrics');
  private readonly failures: Gauge;

  constructor(
    private readonly config: GatewayConfig,
    private readonly token: string,
    private readonly own: ServiceMetrics,
    private readonly timeoutMs = 2_000,
  ) {
    this.failures = new Gauge({ name: 'peil_metrics_scrape_failures', help: 'Services whose metrics the gateway could not read at the last scrape', registers: [own.registry] });
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    const names = Object.keys(SERVICES) as ServiceName[];
    const scraped = await Promise.all(names.map((name) => this.scrape(name)));
    this.failures.set(scraped.filter((s) => s === null).length);
    const all = [await this.own.registry.getMetricsAsJSON(), ...scraped.filter((s): s is MetricsJson => s !== null)];
    const merged = AggregatorRegistry.aggregate(all as never);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  private async scrape(name: ServiceName): Promise<MetricsJson | null> {
    try {
      const res = await fetch(`${serviceUrl(this.config, name)}/metrics?format=json`, {
        headers: { [GATEWAY_HEADERS.token]: this.token, [GATEWAY_HEADERS.role]: 'system', [GATEWAY_HEADERS.principal]: 'gateway' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return (await res.json()) as MetricsJson;
    } catch (err) {
      this.logger.warn(`metrics of ${name} unavailable: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }
}
