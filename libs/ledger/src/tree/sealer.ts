import { createHash } from 'node:crypto';
import type { NewEvent, StoredEvent } from '../core/envelope';
import { ConcurrencyError } from '../store/errors';
import type { EventStore } from '../store/event-store.port';
import { signCheckpoint } from '../tlog/checkpoint';
import type { NoteSigner } from '../tlog/signed-note';
import type { LedgerTree } from './ledger-tree';

/** The stream of the ledger's own signed tree heads. */
export const CHECKPOINT_STREAM = '$checkpoints';
export const CHECKPOINT_EVENT_TYPE = 'LedgerCheckpointed';

export interface LedgerCheckpointedData {
  origin: string;
  size: number;
  /** Base64, as in the checkpoint body. */
  root: string;
  /** The signed note, exactly as served by GET /v1/ledger/checkpoint. */
  checkpoint: string;
  [key: string]: string | number;
}

export interface SealerOptions {
  origin: string;
  signer: NoteSigner;
  every: number;
  intervalMs: number;
  now: () => Date;
}

/**
 * Records a `LedgerCheckpointed` event on `$checkpoints` every `every` events, and after `intervalMs`
 * when any other event was appended since the last checkpoint, so the history of signed heads is in
 * the tree itself and in every export. Safe with any number of sealers: the decision is derived from
 * the ledger (the last checkpoint event), the append expects the stream revision it read, and the
 * eventId and content are the same for the same tree size (Ed25519 signatures are deterministic), so
 * a second sealer's append is a conflict or a duplicate, never a second checkpoint.
 */
export class Sealer {
  private last: { revision: number; size: number; at: number } | null | undefined;
  private firstEventAt: number | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly tree: LedgerTree,
    private readonly options: SealerOptions,
  ) {}

  /** One round: catch the tree up, record a checkpoint when one is due. Returns the size sealed, or null. */
  async tick(): Promise<number | null> {
    const size = await this.tree.catchUp();
    const last = await this.lastCheckpoint();
    // The last checkpoint event itself is one leaf after its size: only what lies beyond counts.
    const appended = last ? size - last.size - 1 : size;
    if (appended <= 0) return null;
    const since = last ? last.at : await this.firstEventTime();
    const due = appended >= this.options.every || this.options.now().getTime() - since >= this.options.intervalMs;
    if (!due) return null;
    return this.seal(size, last);
  }

  private async seal(size: number, last: { revision: number } | null): Promise<number | null> {
    const { origin, signer } = this.options;
    const root = this.tree.root(size);
    const checkpoint = signCheckpoint({ origin, size, root }, signer);
    const at = this.options.now().toISOString();
    const data: LedgerCheckpointedData = { origin, size, root: root.toString('base64'), checkpoint };
    const eventId = checkpointEventId(origin, size);
    const event: NewEvent = {
      eventId,
      type: CHECKPOINT_EVENT_TYPE,
      schemaVersion: 1,
      occurredAt: at,
      recordedAt: at,
      source: 'ledger',
      actor: 'sealer',
      correlationId: eventId,
      causationId: null,
      data,
      contentDigest: createHash('sha256').update(checkpoint).digest('hex'),
    };
    try {
      const [appended] = await this.store.append(CHECKPOINT_STREAM, [event], last ? last.revision : 'no_stream');
      this.last = undefined; // re-read: the event may be a duplicate of another sealer's
      return appended?.status === 'appended' ? size : null;
    } catch (err) {
      if (err instanceof ConcurrencyError) {
        this.last = undefined;
        return null;
      }
      throw err;
    }
  }

  private async lastCheckpoint(): Promise<{ revision: number; size: number; at: number } | null> {
    const from = this.last ? this.last.revision + 1 : 0;
    const events: StoredEvent[] = await this.store.readStream(CHECKPOINT_STREAM, { fromRevision: from });
    const newest = events[events.length - 1];
    if (newest) {
      const data = newest.data as Partial<LedgerCheckpointedData>;
      this.last = { revision: newest.revision, size: Number(data.size), at: Date.parse(newest.recordedAt) };
    } else if (this.last === undefined) {
      this.last = null;
    }
    return this.last;
  }

  private async firstEventTime(): Promise<number> {
    if (this.firstEventAt === undefined) {
      const [first] = await this.store.readAll(null, 1);
      if (!first) return this.options.now().getTime();
      this.firstEventAt = Date.parse(first.recordedAt);
    }
    return this.firstEventAt;
  }
}

/** One eventId per (origin, size): UUID-shaped (version 8) bytes of a SHA-256. */
export function checkpointEventId(origin: string, size: number): string {
  const h = createHash('sha256').update(`${origin}\n${size}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
