import type { Position } from '@peil/ledger';
import { backoffDelay } from '@peil/messaging';
import { healthReason } from '@peil/platform/nest';
import { MongoReadStore, SqliteReadStore, type CheckpointMark, type CommitTx, type ReadStore, type ReadTx } from '@peil/projections';
import type { ReadStoreConfig } from '@peil/reports';

/** Live reports need the read store; the service answers 503 with this while it is not connected. */
export class ReadStoreUnavailableError extends Error {}

export interface ReadStoreHostOptions {
  log?: { warn(message: string): void; log(message: string): void };
  /** Back-off between connection attempts: doubling from the first delay up to the cap. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** How long one attempt waits for a server. */
  connectTimeoutMs?: number;
}

/**
 * The configured read store, reachable or not. SQLite opens at once. MongoDB may start after the
 * service (Compose) or be down: crashing would become a restart loop, so the host keeps trying, with
 * exponential back-off and a log line per failure (never the URL, which may hold a password), while
 * the service runs — reports as of a past position need no read store, and health says `read-store`
 * is down. Until connected, every ReadStore call fails with ReadStoreUnavailableError.
 */
export class ReadStoreHost implements ReadStore {
  private store: ReadStore | undefined;
  private lastError = 'connecting';
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly connecting: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(readonly config: ReadStoreConfig, private readonly options: ReadStoreHostOptions = {}) {
    if (config.kind === 'sqlite') this.store = new SqliteReadStore(config.file);
    else this.connecting = this.connectMongo(config.url);
  }

  /** The store once connected (at once for SQLite); rejects when closed first. */
  async ready(): Promise<ReadStore> {
    await this.connecting;
    if (!this.store) throw new ReadStoreUnavailableError('read store closed');
    return this.store;
  }

  /** The `read-store` health check: connected and answering. */
  async check(): Promise<void> {
    const store = this.current();
    if (store instanceof MongoReadStore) await store.ping();
    else await store.checkpoint('grant-statement');
  }

  checkpoint(projection: string): Promise<Position | null> {
    return this.current().checkpoint(projection);
  }

  checkpointMark(projection: string): Promise<CheckpointMark | null> {
    return this.current().checkpointMark(projection);
  }

  commit(projection: string, expected: Position | null, position: Position, fn: (tx: CommitTx) => Promise<void>, hash?: string): Promise<void> {
    return this.current().commit(projection, expected, position, fn, hash);
  }

  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return this.current().read(fn);
  }

  /** Only where the configured store keeps history (SQLite); until MongoDB is connected: none. */
  readAt<T>(position: Position, fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    const store = this.current();
    if (!store.readAt) throw new Error('the read store keeps no document history');
    return store.readAt(position, fn);
  }

  async keepsHistory(projection: string): Promise<boolean> {
    return (await this.store?.keepsHistory?.(projection)) ?? false;
  }

  reset(projections: readonly string[], collections: readonly string[]): Promise<void> {
    return this.current().reset(projections, collections);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.connecting;
    await this.store?.close();
    this.store = undefined;
  }

  private current(): ReadStore {
    if (!this.store) throw new ReadStoreUnavailableError(`read store (MongoDB) not connected: ${this.lastError}`);
    return this.store;
  }

  private async connectMongo(url: string): Promise<void> {
    const retry = { initialMs: this.options.firstDelayMs ?? 500, maxMs: this.options.maxDelayMs ?? 15_000 };
    for (let attempt = 1; !this.closed; attempt++) {
      const delay = backoffDelay(attempt, retry);
      try {
        const store = await MongoReadStore.connect(url, { serverSelectionTimeoutMS: this.options.connectTimeoutMs ?? 5_000 });
        if (this.closed) {
          await store.close();
          return;
        }
        this.store = store;
        this.options.log?.log(`read store (MongoDB) connected${attempt > 1 ? ` after ${attempt} attempts` : ''}`);
        return;
      } catch (err) {
        // healthReason: one line, URL user-info and password-like values removed.
        this.lastError = healthReason(err);
        this.options.log?.warn(`read store (MongoDB) unreachable (${this.lastError}); attempt ${attempt}, retrying in ${delay} ms`);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, delay);
      });
    }
  }
}
