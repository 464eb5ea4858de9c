import type { Position } from '@peil/ledger';

/**
 * Where a relay remembers the last ledger position the broker acknowledged. Saved only after the
 * acknowledgement, so after a crash the relay republishes at most its last batch (at-least-once)
 * and never leaves a gap.
 */
export interface RelayCheckpointStore {
  load(name: string): Promise<Position | null>;
  save(name: string, position: Position): Promise<void>;
  close(): Promise<void>;
}
