import type { Role, Submission } from './timeline';

/** Why the demo stopped, with its exit code: 2 for keys that do not fit the system, 3 when it never answered. */
export class DemoError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 | 3) {
    super(message);
  }
}

export interface EventResult {
  eventId: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  position?: number;
  error?: { code: string; message: string; path?: string };
}

const TIMEOUT_MS = 120_000;
/** A service restarting under the supervisor answers 503 for a few seconds: wait that long, no longer. */
const MAX_ATTEMPTS = 30;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The public HTTP API, as any client system uses it: one role's API key per request, and every batch
 * sent again, unchanged, when the system says it is busy or restarting (429, 502, 503, 504) or a
 * connection fails — the event ids make that safe. Events a batch reports `not_recorded` are sent
 * again the same way; their first real answer counts.
 */
export class DemoClient {
  constructor(private readonly api: string, private readonly keys: Readonly<Record<Role | 'donor', string>>) {}

  async submit(submission: Submission): Promise<EventResult[]> {
    const answered = new Map<string, EventResult>();
    for (let attempt = 1; ; attempt++) {
      const pending = submission.events.filter((e) => !answered.has(e.eventId));
      const results = (await this.request('POST', `/${submission.context}/events`, submission.role, { events: pending })) as { results: EventResult[] };
      results.results.forEach((r, i) => {
        if (!(r.status === 'rejected' && r.error?.code === 'not_recorded')) answered.set(pending[i]!.eventId, r);
      });
      if (answered.size === submission.events.length) return submission.events.map((e) => answered.get(e.eventId)!);
      if (attempt >= MAX_ATTEMPTS) throw new Error(`${submission.context}: events still not recorded after ${attempt} attempts`);
      await pause(1_000);
    }
  }

  async report(name: string, query = ''): Promise<any> {
    return this.request('GET', `/reports/${name}${query}`, 'donor');
  }

  private async request(method: 'GET' | 'POST', path: string, role: Role | 'donor', body?: unknown): Promise<any> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(`${this.api}${path}`, {
          method,
          headers: { authorization: `Bearer ${this.keys[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS) throw new DemoError(`cannot reach ${this.api} (${causeOf(err)}): is the system running (npm start)?`, 3);
        await pause(1_000);
        continue;
      }
      const text = await res.text();
      if (res.ok) return JSON.parse(text);
      if ([429, 502, 503, 504].includes(res.status) && attempt < MAX_ATTEMPTS) {
        await pause(Math.min(10, Number(res.headers.get('retry-after') ?? 1) || 1) * 1_000);
        continue;
      }
      if (res.status === 401 || res.status === 403) throw new DemoError(`${method} ${path} with the ${role} key: HTTP ${res.status} ${text.slice(0, 300)} (are these the keys of this system's data dir?)`, 2);
      throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
    }
  }
}

const causeOf = (err: unknown): string => {
  const e = err as Error & { cause?: unknown };
  return e.cause instanceof Error ? e.cause.message : e.message;
};
