/** Resolves when the component works; rejects (or throws) with the reason when it does not. */
export type HealthCheck = () => Promise<void>;

export interface ComponentHealth {
  name: string;
  ok: boolean;
  /** Why it is down: one short line, credentials removed. */
  error?: string;
}

export interface ComponentsReport {
  ok: boolean;
  components: ComponentHealth[];
}

/** What a service's /internal/health (always 200) and /internal/ready (200 when ok, else 503) answer; the gateway reads it. */
export type ServiceHealthBody = { service: string } & ComponentsReport;

const COMPONENT_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const MAX_ERROR_CHARS = 200;

/**
 * The components one service depends on (event store, broker, read store…), each with its own
 * check. A service is ready only when all are: /internal/ready answers 503 naming the ones down,
 * and the gateway's /v1/ready passes that on (its /v1/health shows them too, as liveness). Checks run in parallel, each bounded by a timeout,
 * so one hung server cannot make the health route hang past the gateway's own limit (1 s).
 * PlatformModule provides one per service (inject it by its class) and registers `event-store`;
 * whatever else a service depends on registers itself at construction.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  constructor(private readonly timeoutMs = 800) {}

  register(component: string, check: HealthCheck): void {
    if (!COMPONENT_NAME.test(component)) throw new Error(`health component name "${component}" must be lower-case kebab-case`);
    // Two registrations under one name would hide one of them.
    if (this.checks.has(component)) throw new Error(`health component "${component}" is registered twice`);
    this.checks.set(component, check);
  }

  async report(): Promise<ComponentsReport> {
    const components = await Promise.all([...this.checks].map(([name, check]) => this.run(name, check)));
    return { ok: components.every((c) => c.ok), components };
  }

  private async run(name: string, check: HealthCheck): Promise<ComponentHealth> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      // Wrapped so that a check throwing synchronously is reported like one rejecting.
      await Promise.race([Promise.resolve().then(check), timeout]);
      return { name, ok: true };
    } catch (err) {
      return { name, ok: false, error: healthReason(err) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The reason shown on a health route, which is open without a key: the first line of the error,
 * without the user-info of any URL (`esdb://user:password@host`) or secret-looking query values,
 * and short.
 */
export function healthReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = (text.split('\n').find((l) => l.trim() !== '') ?? 'unknown error').trim();
  const redacted = line
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@')
    .replace(/\b(password|passwd|pwd|secret|token|key)=[^&\s]*/gi, '$1=***');
  return redacted.length > MAX_ERROR_CHARS ? `${redacted.slice(0, MAX_ERROR_CHARS - 1)}…` : redacted;
}
