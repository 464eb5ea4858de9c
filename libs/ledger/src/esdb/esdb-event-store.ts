import type * as Esdb from '@eventstore/db-client';
import { Observable } from 'rxjs';
import { categoryOf, type NewEvent, type Position, type StoredEvent } from '../core/envelope';
import { chain } from '../core/hash-chain';
import { ConditionFailedError, EventIdConflictError, WrongExpectedRevisionError } from '../store/errors';
import type {
  AppendCondition,
  AppendedEvent,
  AppendOptions,
  EventStore,
  EventStoreCapabilities,
  ExpectedRevision,
} from '../store/event-store.port';
import { allPosition, answer, esdbEventId, positionOf, toClaim, toEventData, toFound, toStored, type Claim, type Found } from './esdb-envelope';
import { CLAIM_TYPE, categoryRegex, collect, drain, esdb, indexStream, isLedgerStream, isLedgerStreamId, ledgerName, mapLimit, nativeName } from './esdb-streams';
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

/** Writes with expectedRevision 'any' re-read the stream and retry this many times on a race. */
const ANY_RETRIES = 10;
/** Parallel index reads/writes per append (a batch may hold up to 1,000 events). */
const INDEX_CONCURRENCY = 32;

export interface EsdbEventStoreOptions {
  /** Events per `$all` read; readAll, headPosition and condition checks page through `$all` with it. */
  pageSize?: number;
}

export class EsdbEventStore implements EventStore {
  /** Positions are `$all` commit positions; the append condition is checked just before appending (0003, 0005); no multi-append transactions. */
  readonly capabilities: EventStoreCapabilities = { contiguousPositions: false, atomicConditions: false, atomicUnits: false };

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
    const [last] = await collect(this.client.readStream(nativeName(streamId), { fromRevision: END, direction: BACKWARDS, maxCount: 1 }));
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
    return (await collect(read)).flatMap((r) => (r.event ? [toStored(r.event, positionOf(r.event))] : []));
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
      await drain(read, ({ event }) => {
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

  /**
   * A catch-up subscription to `$all` with a server-side stream-name filter, ended at the server's
   * `caughtUp` (server 23.10 or later): the server scans the log and sends only the category's
   * events, and everything committed before the call is read, which the `$ce-` projection's streams
   * do not promise (they lag the log). Stopped at `limit`.
   */
  async readCategory(category: string, afterPosition: Position | null, limit: number): Promise<StoredEvent[]> {
    const regex = categoryRegex(category);
    if (!(limit > 0) || regex === undefined) return [];
    const { START, streamNameFilter } = esdb();
    const subscription = this.client.subscribeToAll({
      fromPosition: afterPosition === null ? START : allPosition(afterPosition),
      filter: streamNameFilter({ regex }),
    });
    const out: StoredEvent[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        subscription.on('caughtUp', resolve);
        subscription.on('error', reject);
        subscription.on('end', resolve);
        subscription.on('data', ({ event }: Esdb.AllStreamResolvedEvent) => {
          if (!event || out.length >= limit) return;
          const position = positionOf(event);
          // The filter is a regex on native names; the category rule itself is checked here.
          if (position <= (afterPosition ?? 0) || !isLedgerStream(event.streamId) || categoryOf(ledgerName(event.streamId)) !== category) return;
          try {
            out.push(toStored(event, position));
          } catch (err) {
            reject(err);
          }
          if (out.length >= limit) resolve();
        });
      });
    } finally {
      await subscription.unsubscribe();
    }
    return out;
  }

  async findByEventId(eventId: string): Promise<Found | null> {
    const { FORWARDS } = esdb();
    const claims = await collect(this.client.readStream(indexStream(eventId), { direction: FORWARDS }));
    const tried = new Set<string>();
    // Oldest claim first: if a race ever stored one eventId twice, the first event is the original.
    for (const { event } of claims) {
      const claim = event ? toClaim(event.data) : undefined;
      if (!claim || claim.eventId !== eventId || tried.has(`${claim.revision}@${claim.streamId}`)) continue;
      tried.add(`${claim.revision}@${claim.streamId}`);
      const [target] = await collect(
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
    await collect(this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1, deadline: deadlineMs }));
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
      await drain(this.client.readAll({ fromPosition: from, maxCount: this.page, direction: BACKWARDS }), ({ event }) => {
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
}

