import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventStore, JsonValue, StoredEvent } from '@peil/ledger';
import { EVENT_STORE, GATEWAY_HEADERS, INTERNAL_TOKEN, jsonBody, loadPlatformConfig, type CallerRole } from '@peil/platform';
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
  /** Events the request appended to the ledger, in ledger order. */
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
    const headers: Record<string, string> = { [GATEWAY_HEADERS.requestId]: randomUUID() };
    if (role !== null) Object.assign(headers, { [GATEWAY_HEADERS.token]: token, [GATEWAY_HEADERS.role]: role, [GATEWAY_HEADERS.principal]: `${role}:harness` });
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
    return { status: res.status, body, newEvents: await store.readAll(before, 10_000) };
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
