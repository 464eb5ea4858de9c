import { Inject, Injectable } from '@nestjs/common';
import { SERVICES, serviceUrl, type ComponentHealth, type ServiceName } from '@peil/platform';
import type { GatewayConfig } from '../gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';

export type ServiceStatus =
  | { ok: true; ms: number; components?: ComponentHealth[] }
  | { ok: false; error: string; components?: ComponentHealth[] };

export interface HealthReport {
  ok: boolean;
  services: Record<string, ServiceStatus>;
}

/**
 * The system is healthy only when every service of SERVICES answers its health check and reports
 * every component it depends on up: a gateway that is up in front of a dead service, or of one
 * whose event store is unreachable, is not a working system. Each service's components are passed
 * on, so the answer says which service and which component is down. Checks run in parallel, each
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
      const components = componentsOf(await res.text());
      const down = components?.filter((c) => !c.ok) ?? [];
      const reported = components ? { components } : {};
      if (res.status === 200 && down.length === 0) return { ok: true, ms: Math.round(performance.now() - started), ...reported };
      const error = down.length > 0 ? `down: ${down.map((c) => c.name).join(', ')}` : `answered ${res.status}`;
      return { ok: false, error, ...reported };
    } catch (err) {
      // By name, not instanceof: the abort reason is a DOMException, whose class depends on the realm.
      const timedOut = (err as { name?: unknown } | null)?.name === 'TimeoutError';
      return { ok: false, error: timedOut ? `no answer within ${timeoutMs} ms` : 'not answering' };
    }
  }
}

const MAX_COMPONENTS = 20;
const MAX_TEXT = 200;

/**
 * The `components` of a service's health body, re-built field by field: only what the schema
 * allows and bounded in size reaches this open route, whatever the service sent.
 */
function componentsOf(text: string): ComponentHealth[] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const list = (body as { components?: unknown } | null)?.components;
  if (!Array.isArray(list)) return undefined;
  return list.slice(0, MAX_COMPONENTS).flatMap((c: unknown): ComponentHealth[] => {
    const { name, ok, error } = (c ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof ok !== 'boolean') return [];
    const component: ComponentHealth = { name: name.slice(0, 40), ok };
    if (!ok && typeof error === 'string') component.error = error.slice(0, MAX_TEXT);
    return [component];
  });
}
