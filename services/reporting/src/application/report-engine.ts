import { canonicalJson, type EventStore, type Position, type StoredEvent } from '@peil/ledger';
import { MemoryReadStore, Projector, replay, type ReadStore } from '@peil/projections';
import { allProjections, isReportName, render, ReportRequestError, reportProjections, validateRequest, type ReportName, type Rendered } from '../reports/catalogue';

export interface ReportQuery {
  asOf?: string;
  period?: string;
  format?: string;
}

export interface ReportAnswer extends Rendered {
  ledgerPosition: number | null;
}

/**
 * Computes reports — for the HTTP service and for the CLI alike. Without `asOf`, from the read
 * store after catching it up to the ledger's head; with `asOf` (a position, or an ISO time meaning
 * the last event recorded by then), by replaying the ledger up to that position into memory with
 * the same projection code. Both paths run the same projections and views, so a report at a
 * position has the same bytes whichever way it was computed, and whenever.
 */
export class ReportEngine {
  private readonly projector: Projector;
  private readonly byReport: Record<ReportName, import('@peil/projections').Projection>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    householdRef: (householdId: string) => string,
  ) {
    this.byReport = reportProjections(householdRef);
    this.projector = new Projector(store, readStore, allProjections(householdRef));
  }

  /** Catch-up and read run one at a time, so the position a report states is the one it was read at. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  catchUp(): Promise<Position | null> {
    return this.serial(() => this.projector.catchUp());
  }

  async report(name: string, query: ReportQuery): Promise<ReportAnswer> {
    if (!isReportName(name)) throw new ReportRequestError('unknown_report', `no report ${name}`, 'name');
    validateRequest(name, query);
    const projection = this.byReport[name];
    if (query.asOf !== undefined && query.asOf !== '') {
      const position = await this.resolveAsOf(query.asOf);
      const memory = new MemoryReadStore();
      await replay(this.eventsUpTo(position), [projection], memory);
      const asOfTime = await this.recordedAt(position);
      const rendered = await memory.read((tx) => render(name, tx, { ledgerPosition: position, asOfTime, ...query }, canonicalJson));
      return { ...rendered, ledgerPosition: position };
    }
    return this.serial(async () => {
      await this.projector.catchUp();
      const position = await this.readStore.checkpoint(projection.name);
      const asOfTime = await this.recordedAt(position);
      const rendered = await this.readStore.read((tx) => render(name, tx, { ledgerPosition: position, asOfTime, ...query }, canonicalJson));
      return { ...rendered, ledgerPosition: position };
    });
  }

  /** A ledger position ("1234") or an ISO-8601 time (the last event recorded at or before it). */
  private async resolveAsOf(asOf: string): Promise<Position | null> {
    if (/^\d+$/.test(asOf)) {
      const position = Number(asOf);
      const head = await this.store.headPosition();
      // A position the ledger has not reached would give different bytes once it is reached.
      if (head === null || position > head) throw new ReportRequestError('position_not_reached', `the ledger is at ${head ?? 'no event'}, not yet ${position}`, 'asOf');
      return position;
    }
    const time = Date.parse(asOf);
    if (!/^\d{4}-\d{2}-\d{2}/.test(asOf) || Number.isNaN(time)) {
      throw new ReportRequestError('invalid_query', 'asOf must be a ledger position or an ISO-8601 time', 'asOf');
    }
    let found: Position | null = null;
    for await (const e of this.eventsUpTo(null)) {
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

  /** Every ledger event up to a position (all of them for null), page by page. */
  private async *eventsUpTo(position: Position | null): AsyncIterable<StoredEvent> {
    let after: Position | null = null;
    for (;;) {
      const page = await this.store.readAll(after, 5000);
      for (const e of page) {
        if (position !== null && e.position > position) return;
        yield e;
      }
      if (page.length < 5000) return;
      after = page[page.length - 1]!.position;
    }
  }

  async rebuild(): Promise<Position | null> {
    const projections = [...new Set(Object.values(this.byReport))];
    await this.readStore.reset(projections.map((p) => p.name), projections.flatMap((p) => [...p.collections]));
    return this.catchUp();
  }
}
