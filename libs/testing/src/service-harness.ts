import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventStore, JsonValue, StoredEvent } from '@peil/ledger';
import { GATEWAY_HEADERS, INTERNAL_TOKEN, type CallerRole } from '@peil/platform/auth';
import { loadPlatformConfig } from '@peil/platform/config';
import { jsonBody } from '@peil/platform/http';
import { EVENT_STORE } from '@peil/platform/nest';
import { householdStreamId } from '@peil/contracts';
import { freePortBase, removeDir } from './system';

/** An event already in the ledger before the request (given), as a context recorded it. */
export interface GivenEvent {
  type: string;
  data: Record<string, JsonValue>;
  occurredAt?: string;
  eventId?: string;
}

export interface HarnessAnswer {
  status: number;
  body: any;
  /**
   * Events the request appended to the ledger, in ledger order: those recorded under this request's
   * own principal, so a service's background writes (the ledger's sealer) never count as its effect.
   */
  newEvents: StoredEvent[];
}

export interface ServiceHarness {
  /** Given: events appended straight to the service's ledger, bypassing every rule. */
  given(streamId: string, events: GivenEvent[]): Promise<void>;
  /** When: a request as the gateway forwards it (internal token, the role's headers); then: the answer and the new events. */
  request(method: 'GET' | 'POST', path: string, options?: { role?: CallerRole | null; body?: unknown; contentType?: string }): Promise<HarnessAnswer>;
  /** POST /v1/<context>/events with these events, as `role`. */
  submit(context: string, events: unknown[], role: CallerRole): Promise<HarnessAnswer>;
  readonly store: EventStore;
  close(): Promise<void>;
}

const ON = '2025-09-01T09:00:00.000Z';

/**
 * One service's Nest module, in this process, over a temp-file SQLite ledger: the real guards (the
 * gateway token and ROUTE_ROLES), the real JSON body parser and error filter, real HTTP on loopback.
 * The module is loaded after the data directory is set, because the platform module reads its
 * configuration when the module file is evaluated. Other services are not running: their internal
 * port block is a free one, so a call to them fails at once instead of reaching a stranger.
 */
export async function startServiceHarness(loadModule: () => Promise<unknown>): Promise<ServiceHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peil-harness-'));
  process.env.PEIL_DATA_DIR = dataDir;
  process.env.PEIL_INTERNAL_PORT_BASE = String(await freePortBase());
  process.env.PEIL_LOG_LEVEL ??= 'error';
  const config = loadPlatformConfig();
  const app: INestApplication = await NestFactory.create((await loadModule()) as never, { logger: false, bodyParser: false });
  app.use(jsonBody({ limitBytes: 8 * 1024 * 1024, maxDepth: config.PEIL_MAX_JSON_DEPTH }));
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const store = app.get<EventStore>(EVENT_STORE);
  const token = app.get<string>(INTERNAL_TOKEN);

  const request: ServiceHarness['request'] = async (method, path, options = {}) => {
    const role = options.role === undefined ? 'admin' : options.role;
    const keyId = `harness-${randomUUID()}`;
    const headers: Record<string, string> = { [GATEWAY_HEADERS.requestId]: randomUUID() };
    if (role !== null) Object.assign(headers, { [GATEWAY_HEADERS.token]: token, [GATEWAY_HEADERS.role]: role, [GATEWAY_HEADERS.principal]: `${role}:${keyId}` });
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const before = (await store.headPosition()) ?? 0;
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    const appended = await store.readAll(before, 10_000);
    return { status: res.status, body, newEvents: appended.filter((e) => e.principal?.keyId === keyId) };
  };

  return {
    store,
    request,
    submit: (context, events, role) => request('POST', `/v1/${context}/events`, { role, body: { events } }),
    async given(streamId, events) {
      await store.append(
        streamId,
        events.map((e) => {
          const eventId = e.eventId ?? randomUUID();
          const occurredAt = e.occurredAt ?? ON;
          return { eventId, type: e.type, schemaVersion: 1, occurredAt, recordedAt: occurredAt, source: 'harness', actor: 'harness', correlationId: eventId, causationId: null, data: e.data, contentDigest: eventId };
        }),
        'any',
      );
    },
    async close() {
      await app.close();
      removeDir(dataDir);
    },
  };
}

/** A submitted event as a field system sends it. */
export const submitted = (type: string, data: Record<string, unknown>, occurredAt = '2025-10-01T09:00:00+03:00') => ({ eventId: randomUUID(), type, occurredAt, data });

/** A spec's harness: one module started before its cases and closed after them (cases share it, so each uses its own ids). */
export function useServiceHarness(loadModule: () => Promise<unknown>): () => ServiceHarness {
  let harness: ServiceHarness | undefined;
  beforeAll(async () => {
    harness = await startServiceHarness(loadModule);
  }, 60_000);
  afterAll(async () => harness?.close());
  return () => {
    if (!harness) throw new Error('the service harness did not start');
    return harness;
  };
}

/** Given: a household enrolled (and active) in the enrolment context's stream, as other contexts read it. */
export function givenEnrolled(harness: ServiceHarness, householdId: string, district = 'Tripoli'): Promise<void> {
  return harness.given(householdStreamId(householdId), [
    {
      type: 'HouseholdEnrolled',
      occurredAt: '2025-09-01T09:00:00.000Z',
      data: {
        householdId, essnId: `ESSN-${householdId}`, governorate: 'North', district, sdcId: 'SDC-TRI-01', consent: true,
        participant: { participantId: `P-${householdId}`, fullName: 'Rima Haddad', sex: 'F', birthDate: '1990-05-14', educationLevel: 'secondary', phone: '+961 3 123456' },
      },
    },
  ]);
}

/** Then: a request without the gateway token is 401 and one by `refused` is 403 `forbidden`; neither writes. */
export async function expectGuarded(harness: ServiceHarness, method: 'GET' | 'POST', path: string, refused: CallerRole, body?: unknown): Promise<void> {
  const anonymous = await harness.request(method, path, { role: null, body });
  expect({ status: anonymous.status, code: anonymous.body?.error?.code, newEvents: anonymous.newEvents }).toEqual({ status: 401, code: 'unauthenticated', newEvents: [] });
  const wrongRole = await harness.request(method, path, { role: refused, body });
  expect({ status: wrongRole.status, body: wrongRole.body, newEvents: wrongRole.newEvents }).toEqual({ status: 403, body: { error: { code: 'forbidden', message: `role ${refused} may not do this` } }, newEvents: [] });
}

/** Then: submitting the same events again answers each `duplicate` at its first position and writes nothing. */
export async function expectIdempotent(harness: ServiceHarness, context: string, events: unknown[], role: CallerRole): Promise<void> {
  const first = await harness.submit(context, events, role);
  const again = await harness.submit(context, events, role);
  expect(again.body.results).toEqual(first.body.results.map((r: { eventId: string; position: number }) => expect.objectContaining({ eventId: r.eventId, status: 'duplicate', position: r.position })));
  expect(again.newEvents).toEqual([]);
}
