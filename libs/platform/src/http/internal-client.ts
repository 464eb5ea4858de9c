import { randomUUID } from 'node:crypto';
import type { SubmissionResult } from '../submissions/submission.schema';
import { actingPrincipal, encodeOnBehalfOf } from '../auth/acting-principal';
import { GATEWAY_HEADERS } from '../auth/roles';
import { holdsWriteLock } from '@peil/ledger';

export class InternalCallError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Service-to-service calls on loopback with the gateway token and the `system` role: how one
 * context asks another to record something in its own streams (each context is the only writer of
 * its streams). Callers make every call idempotent with deterministic eventIds, so a retry after a
 * timeout or a crash can never count twice. A call made while serving a submission says on whose
 * behalf (actingPrincipal), so that what the other context records carries the submitter's principal.
 */
export class InternalClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly caller: string,
    private readonly timeoutMs = 30_000,
  ) {}

  async submit(context: string, events: unknown[], correlationId?: string): Promise<SubmissionResult[]> {
    const body = await this.request('POST', `/v1/${context}/events`, { events }, correlationId);
    return (body as { results: SubmissionResult[] }).results;
  }

  async get<T>(path: string): Promise<T> {
    return (await this.request('GET', path)) as T;
  }

  private async request(method: string, path: string, body?: unknown, correlationId?: string): Promise<unknown> {
    if (holdsWriteLock()) {
      throw new Error(`${method} ${path} called inside a unit of work, holding the ledger's write lock that service may wait for: mark the submission handler asksOtherServices`);
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [GATEWAY_HEADERS.token]: this.token,
      [GATEWAY_HEADERS.role]: 'system',
      [GATEWAY_HEADERS.principal]: `system:${this.caller}`,
      [GATEWAY_HEADERS.requestId]: correlationId ?? randomUUID(),
    };
    const onBehalfOf = actingPrincipal();
    // A submitter of our own role would be this service itself: only outside principals are forwarded.
    if (onBehalfOf && onBehalfOf.via !== 'system') headers[GATEWAY_HEADERS.onBehalfOf] = encodeOnBehalfOf(onBehalfOf);
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new InternalCallError(res.status, `${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  }
}
