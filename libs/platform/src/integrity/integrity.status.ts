import type { Position } from '@peil/ledger';

/** Something found wrong with what the ledger or a view of it holds: where first, and why. */
export interface IntegrityFault {
  /** Which check found it: `ledger-chain`, `read-models`, … */
  source: string;
  /** The first failing ledger position, when the fault has one. */
  position: Position | null;
  /** A stable code: hash_mismatch, ledger_cut_back, checkpoint_ahead_of_ledger… */
  reason: string;
  detail: string;
}

/** A check run on every round of the IntegrityMonitor: the fault it finds, or undefined. */
export type IntegrityCheck = () => Promise<Omit<IntegrityFault, 'source'> | undefined>;

const SOURCE_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * The `integrity` component of one process: every source of an integrity fault — the ledger's chain
 * followed by the IntegrityMonitor, the read models' checkpoints, and whatever else registers (a
 * Merkle tree's consistency) — feeds it. A fault is kept once raised: the process may have acted on
 * a rewritten history, and only a restart (which verifies from the first event again) clears it.
 * Writes are refused and readiness fails while any fault is held.
 */
export class IntegrityStatus {
  private readonly checks = new Map<string, IntegrityCheck>();
  private readonly faults = new Map<string, IntegrityFault>();
  private verifying: string | undefined = 'not verified yet';

  /** A check the monitor runs on each round, after following the ledger. */
  register(source: string, check: IntegrityCheck): void {
    if (!SOURCE_NAME.test(source)) throw new Error(`integrity source name "${source}" must be lower-case kebab-case`);
    if (this.checks.has(source)) throw new Error(`integrity source "${source}" is registered twice`);
    this.checks.set(source, check);
  }

  /** Records a fault; the first one of each source is kept. */
  raise(source: string, fault: Omit<IntegrityFault, 'source'>): void {
    if (!this.faults.has(source)) this.faults.set(source, { source, ...fault });
  }

  /** The faults held, in the order they were found. */
  get all(): IntegrityFault[] {
    return [...this.faults.values()];
  }

  /** The first fault found, if any: what a refused write names. */
  get fault(): IntegrityFault | undefined {
    return this.faults.values().next().value;
  }

  /** Until the first verification of the ledger completes, readiness says how far it got. */
  progress(message: string | undefined): void {
    this.verifying = message;
  }

  /** Runs every registered check whose source holds no fault yet. A check that cannot run (I/O) is not a fault: the component it reads reports that. */
  async runChecks(onError?: (source: string, err: unknown) => void): Promise<void> {
    for (const [source, check] of this.checks) {
      if (this.faults.has(source)) continue;
      try {
        const fault = await check();
        if (fault) this.raise(source, fault);
      } catch (err) {
        onError?.(source, err);
      }
    }
  }

  /** The `integrity` health check: rejects with the first fault, or while the first verification runs. */
  async check(): Promise<void> {
    const fault = this.fault;
    if (fault) throw new Error(describeFault(fault));
    if (this.verifying !== undefined) throw new Error(this.verifying);
  }
}

/** One line, first failing position first: it is shown on health routes, cut at 200 characters. */
export function describeFault(fault: IntegrityFault): string {
  const where = fault.position === null ? '' : ` at position ${fault.position}`;
  return `${fault.reason}${where} (${fault.source}): ${fault.detail}`;
}
