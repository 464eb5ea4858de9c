import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkVerifiedPoint, LedgerFollower, type EventStore, type VerifiedPoint } from '@peil/ledger';
import type { IntegrityStatus } from './integrity.status';

export interface IntegrityMonitorOptions {
  /** Pause between rounds. */
  intervalMs: number;
  /**
   * Where the last verified point is kept between runs. At start it is re-checked against the
   * ledger (still there, same hash): a ledger cut back or rewritten while the process was stopped
   * is a fault even though its remaining chain verifies.
   */
  pointFile?: string;
  /** Events verified between two yields to the event loop. Default 5,000. */
  pageSize?: number;
  log?: { warn(message: string): void };
}

export const LEDGER_CHAIN = 'ledger-chain';

/**
 * Verifies the ledger continuously in this process: from the first event at start, then each round
 * only what was appended since (LedgerFollower, O(new events)), re-checking the last verified event
 * on the way. Faults go to the process's IntegrityStatus, whose other registered checks run on the
 * same rounds. Rounds never overlap, and pages yield to the event loop, so requests keep being
 * answered while a large ledger is verified at start.
 */
export class IntegrityMonitor {
  private readonly follower: LedgerFollower;
  private readonly pageSize: number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private current: Promise<void> = Promise.resolve();
  private firstRound = true;
  private persisted: VerifiedPoint | null = null;
  private firstDone!: () => void;
  /** Resolves when the first round has ended (the ledger verified from its first event, or a fault found). */
  readonly verifiedOnce = new Promise<void>((resolve) => (this.firstDone = resolve));

  constructor(
    private readonly store: EventStore,
    private readonly status: IntegrityStatus,
    private readonly options: IntegrityMonitorOptions,
  ) {
    this.follower = new LedgerFollower(store);
    this.pageSize = options.pageSize ?? 5000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops the rounds; waits for the one under way (before the ledger closes). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.current;
  }

  /** One round: follow the ledger to its head, then run the other registered checks. */
  async round(): Promise<void> {
    const first = this.firstRound;
    if (first) {
      this.firstRound = false;
      await this.checkPersistedPoint();
    }
    const before = this.follower.verified;
    for (;;) {
      const step = await this.follower.step(this.pageSize);
      if (step.fault) {
        this.status.raise(LEDGER_CHAIN, step.fault);
        break;
      }
      if (step.caughtUp) break;
      // Only the first verification holds readiness back; a burst of appends later must not make it flap.
      if (first) this.status.progress(`verifying the ledger: through position ${this.follower.verified?.position ?? 0}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (first) this.status.progress(undefined);
    const after = this.follower.verified;
    if (after && after.position !== before?.position && !this.status.fault) this.persist(after);
    await this.status.runChecks((source, err) => this.options.log?.warn(`integrity check ${source} could not run: ${err instanceof Error ? err.message : String(err)}`));
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      if (!this.running) return;
      this.current = this.round().then(
        () => this.firstDone(),
        // The ledger could not be read (closed, unreachable): the event-store component says so; try again next round.
        (err: unknown) => this.options.log?.warn(`integrity round failed: ${err instanceof Error ? err.message : String(err)}`),
      );
      void this.current.then(() => {
        if (this.running) this.schedule(this.options.intervalMs);
      });
    }, delayMs);
  }

  private async checkPersistedPoint(): Promise<void> {
    const point = this.readPoint();
    if (!point) return;
    this.persisted = point;
    const fault = await checkVerifiedPoint(this.store, point);
    if (fault) this.status.raise(LEDGER_CHAIN, { ...fault, detail: `${fault.detail} (verified by an earlier run)` });
  }

  private readPoint(): VerifiedPoint | null {
    if (!this.options.pointFile) return null;
    let text: string;
    try {
      text = readFileSync(this.options.pointFile, 'utf8');
    } catch {
      return null; // first run
    }
    try {
      const { position, hash } = JSON.parse(text) as Partial<VerifiedPoint>;
      if (Number.isSafeInteger(position) && typeof hash === 'string') return { position: position!, hash };
    } catch {
      // fall through
    }
    this.options.log?.warn(`${this.options.pointFile} is not a verified point; it will be replaced`);
    return null;
  }

  /** Never lowers what an earlier run verified: that point stays until the ledger has passed it again. */
  private persist(point: VerifiedPoint): void {
    const file = this.options.pointFile;
    if (!file || (this.persisted && point.position < this.persisted.position)) return;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(point), { mode: 0o600 });
    renameSync(temp, file);
    this.persisted = point;
  }
}
