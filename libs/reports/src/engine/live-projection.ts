import { backoffDelay, type RetryPolicy } from '@peil/messaging';
import { healthReason } from '@peil/platform/nest';
import type { Projector } from '@peil/projections';

export interface LiveProjectionOptions {
  log?: { warn(message: string): void; log(message: string): void };
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Keeps a Projector following the ledger for as long as the service runs. Starting can fail (the
 * read store is not reachable yet) and live mode can stop on an error (the store went away): either
 * way it tries again, with exponential back-off, from the checkpoint — which is exact, because every
 * batch commits with its checkpoint. Reset to the first delay once live again.
 */
export class LiveProjection {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** Failed attempts since the projector was last live: the back-off's step. */
  private failures = 0;
  private readonly retry: RetryPolicy;
  private attempt: Promise<void> = Promise.resolve();

  constructor(private readonly projector: Projector, private readonly options: LiveProjectionOptions = {}) {
    this.retry = { initialMs: options.firstDelayMs ?? 500, maxMs: options.maxDelayMs ?? 15_000 };
  }

  private get delay(): number {
    return backoffDelay(this.failures + 1, this.retry);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.tryStart();
  }

  /** For the Projector's onError: live mode stopped. */
  failed(err: unknown): void {
    if (!this.running) return;
    this.options.log?.warn(`live projection stopped (${healthReason(err)}); restarting from the checkpoint in ${this.delay} ms`);
    this.retryLater();
  }

  /** Stops following; waits for a start in progress and the batch being committed. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    // stop() first: a start still catching up then never goes live.
    await this.projector.stop();
    await this.attempt;
  }

  private tryStart(): void {
    this.attempt = this.projector.start().then(
      () => {
        this.failures = 0;
      },
      (err: unknown) => {
        if (!this.running) return;
        this.options.log?.warn(`live projection could not start (${healthReason(err)}); retrying in ${this.delay} ms`);
        this.retryLater();
      },
    );
  }

  private retryLater(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.running) this.tryStart();
    }, this.delay);
    this.failures += 1;
  }
}
