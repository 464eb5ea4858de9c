import { IsoDate, IsoDateTime } from '@peil/contracts';
import { truncated } from '@peil/platform/http';
import { canonicalJson, type EventStore, type LedgerTree, type Position } from '@peil/ledger';
import { Projector, type LedgerFeed, type Projection, type ReadStore } from '@peil/projections';
import { allProjections, isReportName, render, ReportRequestError, reportProjections, validateRequest, type ReportContext, type ReportName, type Rendered } from '../reports/catalogue';
import { AsOfReplay, ledgerEvents } from './as-of-replay';
import type { IatiPublisher } from '../reports/iati.config';
import type { IntegrityStatus } from '@peil/platform/integrity';
import { LiveProjection, type LiveProjectionOptions } from './live-projection';
import { READ_MODELS, readModelFault, refusal, type ReadModelFault } from './read-model-integrity';
import { RenderedCache } from './rendered-cache';
import { TreeHeads, TreeSizeError } from './tree-heads';

export interface ReportQuery {
  asOf?: string;
  period?: string;
  format?: string;
  /** CSV only: 'false' leaves out the UTF-8 byte-order mark (for machines). */
  bom?: string;
}

export interface ReportAnswer extends Rendered {
  ledgerPosition: number | null;
}

export interface ReportEngineOptions extends LiveProjectionOptions {
  /** Where live mode reads the ledger from (default: tailing the store; Kafka with PEIL_SUBSCRIPTIONS=kafka). */
  source?: LedgerFeed;
  /**
   * Where the read store keeps no document history for a report's projection (decision 0075), its
   * reports "as of" a position start from the nearest earlier in-memory snapshot, taken at positions
   * that are multiples of this many events, instead of replaying the ledger from zero (decision 0020).
   * Unset or 0: such reports replay from zero (the CLI, whose asOf read store is memory).
   */
  asOfSnapshotEvery?: number;
  /** Snapshots kept per projection, least recently used dropped first (default 40). */
  asOfSnapshotsKept?: number;
  /**
   * Bytes of reports "as of" a position kept rendered, for the same report and query asked again
   * (RenderedCache; default 0: none). Only reports read from the document history are kept.
   */
  asOfCacheBytes?: number;
  /** The IATI reporting organisation (PEIL_IATI_REPORTING_ORG_*); unset, the IATI report answers 503 `iati_not_configured`. */
  iatiPublisher?: IatiPublisher | null;
  /**
   * The service's integrity faults: reports relying on what a fault affects are refused, and a read
   * model found standing on another ledger is reported there. Without it (the CLI) the read models
   * are still checked before a live report.
   */
  integrity?: IntegrityStatus;
  /** The persisted Merkle tree, for the tree head every report cites (without: computed from the ledger). */
  tree?: LedgerTree;
  /** Month the fiscal year starts in (PEIL_FISCAL_YEAR_START_MONTH: 1, 4, 7 or 10; default 1), for the IFR's year to date. */
  fiscalYearStartMonth?: number;
}

/**
 * Computes reports — for the HTTP service and for the CLI alike. Without `asOf`, from the read
 * store, which the service keeps current by following the ledger live (startLive) and which a
 * report still catches up to the ledger's head first; with `asOf` (a position, or an ISO time
 * meaning the last event recorded by then), by replaying the ledger up to that position into
 * memory with the same projection code. Both paths run the same projections and views, so a report
 * at a position has the same bytes whichever way it was computed, and whenever.
 */
export class ReportEngine {
  private readonly projector: Projector;
  private readonly live: LiveProjection;
  private readonly byReport: Record<ReportName, Projection>;
  private readonly replay: AsOfReplay;
  private readonly iatiPublisher: IatiPublisher | null;
  private readonly integrity: IntegrityStatus | undefined;
  private readonly treeHeads: TreeHeads;
  private readonly fiscalYearStartMonth: number;
  private readonly rendered: RenderedCache;

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    householdRef: (householdId: string) => string,
    options: ReportEngineOptions = {},
  ) {
    this.byReport = reportProjections(householdRef);
    this.iatiPublisher = options.iatiPublisher ?? null;
    this.treeHeads = new TreeHeads(store, options.tree);
    this.fiscalYearStartMonth = options.fiscalYearStartMonth ?? 1;
    this.replay = new AsOfReplay(store, options.asOfSnapshotEvery ?? 0, options.asOfSnapshotsKept ?? 40);
    this.integrity = options.integrity;
    this.rendered = new RenderedCache(options.asOfCacheBytes ?? 0);
    this.projector = new Projector(store, readStore, allProjections(householdRef), {
      ...(options.source ? { source: options.source } : {}),
      onError: (err) => this.live.failed(err),
    });
    this.live = new LiveProjection(this.projector, options);
  }

  /** Follows the ledger from the checkpoints until stopLive(), retrying while the read store is down. Returns at once. */
  startLive(): void {
    this.live.start();
  }

  stopLive(): Promise<void> {
    return this.live.stop();
  }

  catchUp(): Promise<Position | null> {
    return this.projector.catchUp();
  }

  async report(name: string, query: ReportQuery): Promise<ReportAnswer> {
    if (!isReportName(name)) throw new ReportRequestError('unknown_report', `no report ${truncated(name)}`, 'name');
    validateRequest(name, query);
    const projection = this.byReport[name];
    if (query.asOf !== undefined && query.asOf !== '') {
      const position = await this.resolveAsOf(query.asOf);
      const refused = refusal(this.integrity?.all ?? [], position);
      if (refused) throw refused;
      const context: ReportContext = { ledgerPosition: position, asOfTime: await this.recordedAt(position), ...(await this.treeHeads.at(position)), ...query, ...this.settings };
      const rendered =
        (await this.fromHistory(name, projection, position, context, query)) ??
        (await (await this.replay.replayedTo(projection, position)).read((tx) => render(name, tx, context, canonicalJson)));
      return { ...rendered, ledgerPosition: position };
    }
    // Caught up to the head as the request found it, then read between live batches: the
    // documents read are exactly those at the checkpoint the report states — once that checkpoint is
    // known to stand on the ledger as it is (a checkpoint ahead of a cut-back ledger would otherwise
    // keep being stated as current).
    await this.projector.catchUp();
    return this.projector.between(async () => {
      const fault = await readModelFault(this.store, this.readStore, [projection]);
      if (fault) this.integrity?.raise(READ_MODELS, fault);
      const refused = refusal(this.integrity?.all ?? (fault ? [{ source: READ_MODELS, ...fault }] : []));
      if (refused) throw refused;
      const position = await this.readStore.checkpoint(projection.name);
      const asOfTime = await this.recordedAt(position);
      const head = await this.treeHeads.at(position);
      const rendered = await this.readStore.read((tx) => render(name, tx, { ledgerPosition: position, asOfTime, ...head, ...query, ...this.settings }, canonicalJson));
      return { ...rendered, ledgerPosition: position };
    });
  }

  /** Per read model, how many ledger events it has not applied yet (head − its checkpoint). */
  async projectorLag(): Promise<Array<{ readModel: string; lag: number }>> {
    const head = (await this.store.headPosition()) ?? 0;
    const projections = [...new Set(Object.values(this.byReport))];
    return Promise.all(projections.map(async (p) => ({ readModel: p.name, lag: Math.max(0, head - ((await this.readStore.checkpoint(p.name)) ?? 0)) })));
  }

  /** The first read model found standing on another ledger than this one (the `read-models` integrity check). */
  readModelFault(): Promise<ReadModelFault | undefined> {
    return this.projector.between(() => readModelFault(this.store, this.readStore, [...new Set(Object.values(this.byReport))]));
  }

  /** What the operator configured that reports depend on. */
  private get settings() {
    return { iatiPublisher: this.iatiPublisher, fiscalYearStartMonth: this.fiscalYearStartMonth };
  }

  /** Snapshots held for a projection (for tests and metrics). */
  asOfSnapshotCount(projectionName: string): number {
    return this.replay.snapshotCount(projectionName);
  }

  /**
   * A report as of a position read from the read store's document history (decision 0075): the
   * documents exactly as they were once the event at that position was applied, by the same render
   * code, so the bytes are those of a replay. Undefined where that cannot be trusted — the read store
   * keeps no history for the projection (memory, MongoDB, read models built before history was kept),
   * or its read models do not stand on this ledger — and the report is replayed from the ledger.
   */
  private async fromHistory(name: ReportName, projection: Projection, position: Position | null, context: ReportContext, query: ReportQuery): Promise<Rendered | undefined> {
    const { readStore } = this;
    if (position === null || !readStore.readAt || !(await readStore.keepsHistory?.(projection.name))) return undefined;
    const reached = async () => ((await readStore.checkpoint(projection.name)) ?? 0) >= position;
    if (!(await reached())) await this.projector.catchUp();
    return this.projector.between(async () => {
      if (!(await reached())) return undefined;
      const fault = await readModelFault(this.store, readStore, [projection]);
      if (fault) {
        this.integrity?.raise(READ_MODELS, fault);
        return undefined;
      }
      // Asked only now, with the read models known to stand on this ledger: a cached report is never
      // served past a fault. The query as given is part of the key (the report states its asOf).
      const key = `${name}\n${position}\n${canonicalJson(query)}`;
      const cached = this.rendered.get(key);
      if (cached) return cached;
      const rendered = await readStore.readAt!(position, (tx) => render(name, tx, context, canonicalJson));
      this.rendered.set(key, rendered);
      return rendered;
    });
  }

  /**
   * A ledger position ("1234"), a tree size ("size:1234": the position of the tree's 1234th event,
   * so a report can be tied to a signed checkpoint) or an ISO-8601 time (the last event recorded at
   * or before it).
   */
  private async resolveAsOf(asOf: string): Promise<Position | null> {
    const size = /^size:(\d{1,15})$/.exec(asOf);
    if (size) {
      try {
        return await this.treeHeads.positionOf(Number(size[1]));
      } catch (err) {
        if (err instanceof TreeSizeError) throw new ReportRequestError('beyond_tree', err.message, 'asOf');
        throw err;
      }
    }
    if (/^\d+$/.test(asOf)) {
      const position = Number(asOf);
      const head = await this.store.headPosition();
      // A position the ledger has not reached would give different bytes once it is reached.
      if (head === null || position > head) throw new ReportRequestError('position_not_reached', `the ledger is at ${head ?? 'no event'}, not yet ${position}`, 'asOf');
      return position;
    }
    const time = isoInstant(asOf);
    if (time === null) {
      throw new ReportRequestError('invalid_query', 'asOf must be a ledger position, size:<tree size>, a date (2025-12-31) or a time with its offset (2025-12-31T23:59:59Z) that exists', 'asOf');
    }
    let found: Position | null = null;
    for await (const e of ledgerEvents(this.store, null, null)) {
      if (Date.parse(e.recordedAt) > time) break;
      found = e.position;
    }
    return found;
  }

  private async recordedAt(position: Position | null): Promise<string | null> {
    if (position === null) return null;
    const [event] = await this.store.readAll(position - 1, 1);
    return event && event.position === position ? event.recordedAt : null;
  }

  async rebuild(): Promise<Position | null> {
    const projections = [...new Set(Object.values(this.byReport))];
    this.rendered.clear();
    await this.readStore.reset(projections.map((p) => p.name), projections.flatMap((p) => [...p.collections]));
    return this.catchUp();
  }
}

/**
 * Milliseconds of a date (its first instant, UTC) or of a time with its offset; null for anything
 * else — including dates that do not exist, which Date.parse would roll over (2025-02-30 → 2 March)
 * and times without an offset, which it would read in the server's time zone.
 */
export function isoInstant(text: string): number | null {
  if (!IsoDate.safeParse(text).success && !IsoDateTime.safeParse(text).success) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : time;
}
