import { Inject, Injectable } from '@nestjs/common';
import { SERVICES, serviceUrl, type ServiceName } from '@peil/platform';
import type { GatewayConfig } from '../gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';

export type ServiceStatus = { ok: true; ms: number } | { ok: false; error: string };

export interface HealthReport {
  ok: boolean;
  services: Record<string, ServiceStatus>;
}

/**
 * The system is healthy only when every service of SERVICES answers its health check: a gateway
 * that is up in front of a dead service is not a working system. Checks run in parallel, each
 * with its own short timeout, so one hung service cannot make /v1/health hang.
 */
@Injectable()
export class ServiceHealth {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async check(): Promise<HealthReport> {
    const names = Object.keys(SERVICES) as ServiceName[];
    const statuses = await Promise.all(names.map((name) => this.probe(name)));
    const services: Record<string, ServiceStatus> = {};
    names.forEach((name, i) => (services[name] = statuses[i]!));
    return { ok: statuses.every((s) => s.ok), services };
  }

  private async probe(name: ServiceName): Promise<ServiceStatus> {
    const started = performance.now();
    const timeoutMs = this.config.healthTimeoutMs;
    try {
      const res = await fetch(`${serviceUrl(this.config, name)}/internal/health`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      if (res.status !== 200) return { ok: false, error: `answered ${res.status}` };
      return { ok: true, ms: Math.round(performance.now() - started) };
    } catch (err) {
      // By name, not instanceof: the abort reason is a DOMException, whose class depends on the realm.
      const timedOut = (err as { name?: unknown } | null)?.name === 'TimeoutError';
      return { ok: false, error: timedOut ? `no answer within ${timeoutMs} ms` : 'not answering' };
    }
  }
}
