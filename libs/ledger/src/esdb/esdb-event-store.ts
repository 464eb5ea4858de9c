import { createHash } from 'node:crypto';
import type * as Esdb from '@eventstore/db-client';
import { Observable } from 'rxjs';
import { categoryOf, type EventPrincipal, type NewEvent, type Position, type StoredEvent } from '../core/envelope';
import { chain } from '../core/hash-chain';
import { ConditionFailedError, CorruptEventError, EventIdConflictError, WrongExpectedRevisionError } from '../store/errors';
import type {
  AppendCondition,
  AppendedEvent,
  AppendOptions,
  EventStore,
  EventStoreCapabilities,
  ExpectedRevision,
} from '../store/event-store.port';
import { checkExpected } from '../store/expected-revision';

/**
 * The EventStore port on EventStoreDB (distributed profile); design notes in
 * docs/decisions/0005-eventstoredb-adapter.md.
 *
 * Mapping: one ledger stream is one EventStoreDB stream; `revision` is the native stream revision;
 * `position` is the `$all` commit position of the event. A gRPC append writes each event as its own
 * log record, so every event has its own commit position (increasing, not contiguous). `data` is the
 * JSON event body; the rest of the envelope travels in the event metadata.
 *
 * Idempotency by eventId needs a lookup EventStoreDB does not have (its own duplicate detection only
 * covers a retry of the same append at the same expected revision). Each eventId therefore gets an
 * index stream `peil_eventid-<eventId>` holding "claims" {streamId, revision}. A claim is written
 * BEFORE the append, so a crash between the two leaves a claim with no event (harmless: a claim only
 * counts when the event it names exists with this eventId), never an event that cannot be found.
 * Index streams are not ledger streams: readAll, headPosition and subscribe skip them, as they skip
 * `$`-prefixed system streams.
 */

const INDEX_PREFIX = 'peil_eventid-';
const CLAIM_TYPE = 'PeilEventIdClaimed';
/** Writes with expectedRevision 'any' re-read the stream and retry this many times on a race. */
const ANY_RETRIES = 10;
/** Parallel index reads/writes per append (a batch may hold up to 1,000 events). */
const INDEX_CONCURRENCY = 32;

type EsdbModule = typeof import('@eventstore/db-client');
let loaded: EsdbModule | undefined;
/**
 * @eventstore/db-client (gRPC + protobuf) takes 100–140 ms to load. It is required on first use so
 * that importing @peil/ledger in the embedded profile, which never talks to EventStoreDB, does not pay for it.
 */
function esdb(): EsdbModule {
  // A plain require keeps the load lazy; the cast restores the package's own typings.
  loaded ??= require('@eventstore/db-client') as EsdbModule;
  return loaded;
}

/** The envelope fields EventStoreDB does not hold natively (stream, revision, type and position are native). */
type EnvelopeMetadata = {
  /** The submitter's eventId verbatim; the native event id is its UUID form (see esdbEventId). */
  eventId: string;
  schemaVersion: number;
  occurredAt: string;
  recordedAt: string;
  source: string;
  actor: string;
  /** Absent on events recorded before principals were (decision 0027). */
  principal?: EventPrincipal;
  correlationId: string;
  causationId: string | null;
  prevHash: string | null;
  hash: string;
  contentDigest: string;
};

type Claim = { eventId: string; streamId: string; revision: number };
type Found = StoredEvent & { contentDigest: string };

export interface EsdbEventStoreOptions {
  /** Events per `$all` read; readAll, headPosition and condition checks page through `$all` with it. */
  pageSize?: number;
}

export class EsdbEventStore implements EventStore {
  /** Positions are `$all` commit positions; the append condition is checked just before appending (0003, 0005). */
  readonly capabilities: EventStoreCapabilities = { contiguousPositions: false, atomicConditions: false };

  private readonly page: number;

  constructor(
    private readonly client: Esdb.EventStoreDBClient,
    options: EsdbEventStoreOptions = {},
  ) {
    // At least 2: a read from a position may return the event at that position again, and a page
    // must still make progress past it.
    this.page = Math.max(2, options.pageSize ?? 500);
  }

  /** e.g. `esdb://127.0.0.1:2113?tls=false`. Connects lazily, on the first call. */
  static connect(connectionString: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
    return new EsdbEventStore(esdb().EventStoreDBClient.connectionString(connectionString), options);
  }

  async append(
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
    options: AppendOptions = {},
  ): Promise<AppendedEvent[]> {
    if (events.length === 0) return [];
    if (!isLedgerStreamId(streamId)) throw new Error(`stream id ${streamId} is reserved (system or eventId index stream)`);
    const known = await this.existing(events);
    if (known) return known;
    const { NO_STREAM, WrongExpectedVersionError } = esdb();
    for (let attempt = 0; ; attempt++) {
      const last = await this.lastOf(streamId);
      checkExpected(streamId, expectedRevision, last?.revision);
      if (options.condition) await this.checkCondition(options.condition);
      const chained = chain(streamId, events, last);
      await mapLimit(chained, INDEX_CONCURRENCY, (e) => this.claim({ eventId: e.eventId, streamId, revision: e.revision }));
      try {
        await this.client.appendToStream(
          nativeName(streamId),
          chained.map((e, i) => toEventData(e, events[i]!.contentDigest)),
          // Always the exact revision just read, also for 'any': the chain was computed on it.
          { expectedRevision: last ? BigInt(last.revision) : NO_STREAM },
        );
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError)) throw err;
        // The writer that got in first may have been a concurrent retry of this very submission.
        const nowKnown = await this.existing(events);
        if (nowKnown) return nowKnown;
        if (expectedRevision === 'any' && attempt < ANY_RETRIES) continue;
        const actual = err.actualVersion === 'no_stream' ? 'no_stream' : Number(err.actualVersion);
        throw new WrongExpectedRevisionError(streamId, expectedRevision, actual);
      }
      return this.confirm(streamId, chained, events);
    }
  }

  /**
   * Reads the appended events back for their `$all` positions. EventStoreDB also answers "success"
   * without writing when an append repeats event ids already written at that expected revision; the
   * hashes then differ from ours, and the events found are answered as duplicates (or a conflict).
   */
  private async confirm(
    streamId: string,
    chained: ReadonlyArray<Omit<StoredEvent, 'position'>>,
    events: readonly NewEvent[],
  ): Promise<AppendedEvent[]> {
    const stored = await this.readStream(streamId, { fromRevision: chained[0]!.revision, limit: chained.length });
    if (stored.length === chained.length && stored.every((s, i) => s.hash === chained[i]!.hash)) {
      return stored.map((s) => answer(s, 'appended'));
    }
    const known = await this.existing(events);
    if (known) return known;
    throw new Error(`stream ${streamId}: append acknowledged but the events read back are not the ones written`);
  }

  /** Same rule as the SQLite store: all known with equal digests → duplicates; any other mix → conflict. */
  private async existing(events: readonly NewEvent[]): Promise<AppendedEvent[] | undefined> {
    const found = await mapLimit(events, INDEX_CONCURRENCY, (e) => this.findByEventId(e.eventId));
    if (found.every((f) => f === null)) return undefined;
    return found.map((f, i) => {
      const event = events[i]!;
      if (!f) throw new EventIdConflictError(event.eventId, -1);
      if (f.contentDigest !== event.contentDigest) throw new EventIdConflictError(event.eventId, f.position);
      return answer(f, 'duplicate');
    });
  }

  private async claim(claim: Claim): Promise<void> {
    const { jsonEvent, ANY } = esdb();
    await this.client.appendToStream(indexStream(claim.eventId), jsonEvent({ type: CLAIM_TYPE, data: claim }), {
      expectedRevision: ANY,
    });
  }

  private async lastOf(streamId: string): Promise<{ revision: number; hash: string } | undefined> {
    const { END, BACKWARDS } = esdb();
    const [last] = await this.collect(this.client.readStream(nativeName(streamId), { fromRevision: END, direction: BACKWARDS, maxCount: 1 }));
    if (!last?.event) return undefined;
    const stored = toStored(last.event, positionOf(last.event));
    return { revision: stored.revision, hash: stored.hash };
  }

  /**
   * Not atomic with the append (capabilities.atomicConditions = false): scans `$all` backwards from
   * its end down to `lastPositionSeen` for an event of the category. Exact at the moment it runs (no
   * projection lag, unlike `$ce-` streams); its cost is the number of events written since the
   * decision was made — the whole log when the writer saw none of the category (null).
   */
  private async checkCondition({ category, lastPositionSeen }: AppendCondition): Promise<void> {
    const floor = lastPositionSeen ?? 0;
    let newer: number | undefined;
    await this.scanBackwards((e, position) => {
      if (position <= floor) return false;
      if (isLedgerStream(e.streamId) && categoryOf(ledgerName(e.streamId)) === category) {
        newer = position;
        return false;
      }
      return true;
    });
    if (newer !== undefined) throw new ConditionFailedError(category, lastPositionSeen, newer);
  }

  /** No multi-append transactions on EventStoreDB: every append inside the unit is durable on its own. */
  async unitOfWork<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  async readStream(streamId: string, options: { fromRevision?: number; limit?: number } = {}): Promise<StoredEvent[]> {
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    if (limit <= 0) return [];
    const { FORWARDS } = esdb();
    const read = this.client.readStream(nativeName(streamId), {
      fromRevision: BigInt(options.fromRevision ?? 0),
      maxCount: limit,
      direction: FORWARDS,
    });
    return (await this.collect(read)).flatMap((r) => (r.event ? [toStored(r.event, positionOf(r.event))] : []));
  }

  async readAll(afterPosition: Position | null, limit: number): Promise<StoredEvent[]> {
    const { START, FORWARDS } = esdb();
    const out: StoredEvent[] = [];
    if (limit <= 0) return out;
    let from: Esdb.ReadPosition = afterPosition === null ? START : allPosition(afterPosition);
    let floor = afterPosition ?? 0;
    for (;;) {
      let seen = 0;
      let lastRaw: Esdb.Position | undefined;
      const read = this.client.readAll({ fromPosition: from, maxCount: this.page, direction: FORWARDS });
      await this.drain(read, ({ event }) => {
        seen += 1;
        if (!event) return true;
        lastRaw = event.position;
        const position = positionOf(event);
        // A read from a position may include the event at that position; the port is strictly "after".
        if (position <= floor || !isLedgerStream(event.streamId)) return true;
        out.push(toStored(event, position));
        return out.length < limit;
      });
      if (out.length >= limit || seen < this.page || !lastRaw) return out;
      from = lastRaw;
      floor = positionOf({ position: lastRaw });
    }
  }

  async findByEventId(eventId: string): Promise<Found | null> {
    const { FORWARDS } = esdb();
    const claims = await this.collect(this.client.readStream(indexStream(eventId), { direction: FORWARDS }));
    const tried = new Set<string>();
    // Oldest claim first: if a race ever stored one eventId twice, the first event is the original.
    for (const { event } of claims) {
      const claim = event ? toClaim(event.data) : undefined;
      if (!claim || claim.eventId !== eventId || tried.has(`${claim.revision}@${claim.streamId}`)) continue;
      tried.add(`${claim.revision}@${claim.streamId}`);
      const [target] = await this.collect(
        this.client.readStream(nativeName(claim.streamId), { fromRevision: BigInt(claim.revision), maxCount: 1, direction: FORWARDS }),
      );
      // A claim whose append failed or never happened names another event (or none): not this eventId.
      if (!target?.event || target.event.id !== esdbEventId(eventId)) continue;
      const found = toFound(target.event, positionOf(target.event));
      if (found.eventId === eventId) return found;
    }
    return null;
  }

  async headPosition(): Promise<Position | null> {
    let head: Position | null = null;
    await this.scanBackwards((e, position) => {
      if (!isLedgerStream(e.streamId)) return true;
      head = position;
      return false;
    });
    return head;
  }

  /** Catch-up then live through one `$all` subscription; system events are filtered by the server. */
  subscribe(afterPosition: Position | null): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      const { START, excludeSystemEvents } = esdb();
      const subscription = this.client.subscribeToAll({
        fromPosition: afterPosition === null ? START : allPosition(afterPosition),
        filter: excludeSystemEvents(),
      });
      let last = afterPosition ?? 0;
      subscription.on('data', ({ event }: Esdb.AllStreamResolvedEvent) => {
        if (!event || subscriber.closed) return;
        const position = positionOf(event);
        if (position <= last || !isLedgerStream(event.streamId)) return;
        try {
          subscriber.next(toStored(event, position));
          last = position;
        } catch (err) {
          subscriber.error(err);
          void subscription.unsubscribe();
        }
      });
      subscription.on('error', (err: Error) => subscriber.error(err));
      return () => {
        void subscription.unsubscribe();
      };
    });
  }

  /**
   * Rejects when the server does not answer: one event of `$all` read with a deadline (the same
   * right every other read of this adapter needs). For health checks; the port has no equivalent
   * because an embedded store cannot be unreachable.
   */
  async ping(deadlineMs = 2_000): Promise<void> {
    const { END, BACKWARDS } = esdb();
    await this.collect(this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1, deadline: deadlineMs }));
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  /** Visits `$all` from its end towards its start, a page at a time, until `visit` returns false. */
  private async scanBackwards(visit: (event: Esdb.AllStreamRecordedEvent, position: Position) => boolean): Promise<void> {
    const { END, BACKWARDS } = esdb();
    let from: Esdb.ReadPosition = END;
    let ceiling = Number.POSITIVE_INFINITY;
    for (;;) {
      let seen = 0;
      let going = true;
      let lowest: Esdb.Position | undefined;
      await this.drain(this.client.readAll({ fromPosition: from, maxCount: this.page, direction: BACKWARDS }), ({ event }) => {
        seen += 1;
        if (!event) return true;
        const position = positionOf(event);
        lowest = event.position;
        if (position >= ceiling) return true; // a page may repeat the event it started from
        going = visit(event, position);
        return going;
      });
      if (!going || seen < this.page || !lowest) return;
      from = lowest;
      ceiling = positionOf({ position: lowest });
    }
  }

  /** Reads a whole (bounded) read; a stream that does not exist reads as empty. */
  private async collect<E>(read: Esdb.StreamingRead<E>): Promise<E[]> {
    const out: E[] = [];
    await this.drain(read, (e) => {
      out.push(e);
      return true;
    });
    return out;
  }

  /** Iterates a read; stopping early cancels the gRPC call instead of leaving it open. */
  private async drain<E>(read: Esdb.StreamingRead<E>, visit: (e: E) => boolean): Promise<void> {
    try {
      for await (const e of read) {
        if (!visit(e)) {
          await read.cancel();
          return;
        }
      }
    } catch (err) {
      if (err instanceof esdb().StreamNotFoundError) return;
      throw err;
    }
  }
}

/** Ledger streams exclude EventStoreDB's `$` system streams and this adapter's eventId index. */
function isLedgerStream(nativeStreamId: string): boolean {
  return nativeStreamId === NATIVE_CHECKPOINTS || (!nativeStreamId.startsWith('$') && !nativeStreamId.startsWith(INDEX_PREFIX));
}

/**
 * The ledger's own `$checkpoints` stream (signed tree heads) cannot keep its name here: `$` streams
 * are EventStoreDB's system streams. It is stored under a name in this adapter's reserved `peil_`
 * prefix and read back under its ledger name, which is the one its events' hashes cover.
 */
const LEDGER_CHECKPOINTS = '$checkpoints';
const NATIVE_CHECKPOINTS = 'peil_ledger-checkpoints';
const RESERVED_PREFIX = 'peil_';

/** Stream ids services may append to: `$checkpoints`, or any id outside `$` and the adapter's `peil_` names. */
function isLedgerStreamId(streamId: string): boolean {
  return streamId === LEDGER_CHECKPOINTS || (!streamId.startsWith('$') && !streamId.startsWith(RESERVED_PREFIX));
}

function nativeName(streamId: string): string {
  return streamId === LEDGER_CHECKPOINTS ? NATIVE_CHECKPOINTS : streamId;
}

function ledgerName(nativeStreamId: string): string {
  return nativeStreamId === NATIVE_CHECKPOINTS ? LEDGER_CHECKPOINTS : nativeStreamId;
}

function indexStream(eventId: string): string {
  return `${INDEX_PREFIX}${eventId}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * EventStoreDB event ids are UUIDs and come back lower-cased. A UUID eventId is used as is (so the
 * server's own retry detection applies); any other id maps to a stable name-based UUID. The envelope
 * keeps the submitted eventId verbatim in the metadata.
 */
function esdbEventId(eventId: string): string {
  if (UUID.test(eventId)) return eventId.toLowerCase();
  const h = createHash('sha256').update(eventId).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function toEventData(e: Omit<StoredEvent, 'position'>, contentDigest: string) {
  const metadata: EnvelopeMetadata = {
    eventId: e.eventId,
    schemaVersion: e.schemaVersion,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    source: e.source,
    actor: e.actor,
    correlationId: e.correlationId,
    causationId: e.causationId,
    prevHash: e.prevHash,
    hash: e.hash,
    contentDigest,
  };
  if (e.principal !== undefined) metadata.principal = e.principal;
  return esdb().jsonEvent({ id: esdbEventId(e.eventId), type: e.type, data: e.data, metadata });
}

function allPosition(position: Position): Esdb.Position {
  // Events appended over gRPC are single log records: their commit and prepare positions are equal.
  return { commit: BigInt(position), prepare: BigInt(position) };
}

function positionOf(event: { position?: Esdb.Position | undefined }): Position {
  const commit = event.position?.commit;
  if (commit === undefined || commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    // Servers before 22.6 return no $all position on stream reads (or 2^64-1).
    throw new Error('EventStoreDB returned no $all position for an event: server 22.6 or later is required');
  }
  return Number(commit);
}

function answer(e: StoredEvent, status: AppendedEvent['status']): AppendedEvent {
  return { eventId: e.eventId, status, position: e.position, streamId: e.streamId, revision: e.revision, hash: e.hash };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function toClaim(data: unknown): Claim | undefined {
  if (!isRecord(data)) return undefined;
  const { eventId, streamId, revision } = data;
  if (typeof eventId !== 'string' || typeof streamId !== 'string' || typeof revision !== 'number') return undefined;
  return { eventId, streamId, revision };
}

const STRING_FIELDS = ['eventId', 'occurredAt', 'recordedAt', 'source', 'actor', 'correlationId', 'hash', 'contentDigest'] as const;

/**
 * An event that does not carry a complete envelope (written around this adapter, or damaged) is
 * reported as CorruptEventError, which verification reports as 'unreadable' at its position.
 */
function toFound(event: Esdb.RecordedEvent, position: Position): Found {
  const m = event.metadata;
  const data: unknown = event.data;
  const corrupt = (why: string) => new CorruptEventError(position, `${event.streamId}@${event.revision}: ${why}`);
  if (!event.isJson || !isRecord(m)) throw corrupt('no envelope metadata');
  if (!isRecord(data)) throw corrupt('data is not a JSON object');
  for (const field of STRING_FIELDS) if (typeof m[field] !== 'string') throw corrupt(`metadata.${field} is not a string`);
  if (typeof m.schemaVersion !== 'number') throw corrupt('metadata.schemaVersion is not a number');
  if (m.causationId !== null && typeof m.causationId !== 'string') throw corrupt('metadata.causationId is invalid');
  if (m.prevHash !== null && typeof m.prevHash !== 'string') throw corrupt('metadata.prevHash is invalid');
  if (m.principal !== undefined && !isPrincipal(m.principal)) throw corrupt('metadata.principal is invalid');
  const meta = m as EnvelopeMetadata;
  const found: Found = {
    position,
    streamId: ledgerName(event.streamId),
    revision: Number(event.revision),
    eventId: meta.eventId,
    type: event.type,
    schemaVersion: meta.schemaVersion,
    occurredAt: meta.occurredAt,
    recordedAt: meta.recordedAt,
    source: meta.source,
    actor: meta.actor,
    correlationId: meta.correlationId,
    causationId: meta.causationId,
    data: data as StoredEvent['data'],
    prevHash: meta.prevHash,
    hash: meta.hash,
    contentDigest: meta.contentDigest,
  };
  // Only when recorded: an old event must come back without the member, to hash as it was written.
  if (meta.principal !== undefined) found.principal = { keyId: meta.principal.keyId, role: meta.principal.role, via: meta.principal.via };
  return found;
}

function isPrincipal(value: unknown): value is EventPrincipal {
  if (!isRecord(value)) return false;
  const { keyId, role, via } = value;
  return typeof keyId === 'string' && typeof role === 'string' && (via === 'http' || via === 'kafka' || via === 'system');
}

/** The envelope alone: the content digest is the store's business, returned by findByEventId only. */
function toStored(event: Esdb.RecordedEvent, position: Position): StoredEvent {
  const { contentDigest: _digest, ...envelope } = toFound(event, position);
  return envelope;
}

/** Promise.all with at most `limit` calls in flight, results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
