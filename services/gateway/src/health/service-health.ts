import { Inject, Injectable } from '@nestjs/common';
import { SERVICES, serviceUrl, type ServiceName } from '@peil/platform/config';
import { type ComponentHealth } from '@peil/platform/nest';
import type { GatewayConfig } from '../gateway.config';
import { GATEWAY_CONFIG } from '../gateway.tokens';

/**
 * One service as the gateway sees it: `live` when its process answers its health route, `ok` when
 * it also reports every component up (ready).
 */
export type ServiceStatus =
  | { live: true; ok: true; ms: number; components?: ComponentHealth[] }
  | { live: true; ok: false; ms: number; error: string; components?: ComponentHealth[] }
  | { live: false; ok: false; error: string };

export interface HealthReport {
  /** The route's verdict: `live` on /v1/health, `ready` on /v1/ready (and so its status code). */
  ok: boolean;
  /** Every service process answers. */
  live: boolean;
  /** Every service answers with every component up — `integrity` included. */
  ready: boolean;
  services: Record<string, ServiceStatus>;
}

/**
 * Liveness and readiness of the whole system. /v1/health is liveness: 200 while every service
 * process answers, even when a component is down — a process that found its ledger tampered is up,
 * and must stay so for auditors — with every component's state in the body. /v1/ready is readiness:
 * 503 while any service does not answer or reports any component down, naming which and why. Both
 * come from one probe per service, in parallel, each with its own short timeout, so one hung
 * service cannot make either route hang.
 */
@Injectable()
export class ServiceHealth {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async check(): Promise<Omit<HealthReport, 'ok'>> {
    const names = Object.keys(SERVICES) as ServiceName[];
    const statuses = await Promise.all(names.map((name) => this.probe(name)));
    const services: Record<string, ServiceStatus> = {};
    names.forEach((name, i) => (services[name] = statuses[i]!));
    return { live: statuses.every((s) => s.live), ready: statuses.every((s) => s.ok), services };
  }

  private async probe(name: ServiceName): Promise<ServiceStatus> {
    const started = performance.now();
    const timeoutMs = this.config.healthTimeoutMs;
    try {
      const res = await fetch(`${serviceUrl(this.config, name)}/internal/health`, { signal: AbortSignal.timeout(timeoutMs) });
      const components = componentsOf(await res.text());
      const ms = Math.round(performance.now() - started);
      // A body listing components is the service itself answering (a stand-in waiting for its event
      // store answers one too, with 503 from older builds); anything else is something in the way.
      if (res.status !== 200 && !components) return { live: false, ok: false, error: `answered ${res.status}` };
      const down = components?.filter((c) => !c.ok) ?? [];
      const reported = components ? { components } : {};
      if (res.status === 200 && down.length === 0) return { live: true, ok: true, ms, ...reported };
      const error = down.length > 0 ? `down: ${down.map((c) => c.name).join(', ')}` : `answered ${res.status}`;
      return { live: true, ok: false, ms, error, ...reported };
    } catch (err) {
      // By name, not instanceof: the abort reason is a DOMException, whose class depends on the realm.
      const timedOut = (err as { name?: unknown } | null)?.name === 'TimeoutError';
      return { live: false, ok: false, error: timedOut ? `no answer within ${timeoutMs} ms` : 'not answering' };
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
