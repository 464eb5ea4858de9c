import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { LedgerTree, Sealer, SqliteTreeStore, TreeIntegrityError, type EventStore } from '@peil/ledger';
import { CLOCK, type Clock } from '@peil/platform/clock';
import { type PlatformConfig } from '@peil/platform/config';
import { ledgerTreeFile, loadCheckpointPolicy, loadLedgerIdentity, type LedgerIdentity } from '@peil/platform/ledger';
import { EVENT_STORE, HealthRegistry, PLATFORM_CONFIG, healthReason } from '@peil/platform/nest';

const TICK_MS = 1000;

/**
 * The Merkle tree over the ledger and its sealer, inside the ledger service. At boot the tree is
 * caught up (built when missing) and, in the background, compared leaf by leaf with the ledger; then
 * once a second it is caught up again and the sealer records a checkpoint when one is due. A
 * disagreement between tree and ledger is the `tree` health component's fault until
 * `npx peil-ledger tree rebuild`: it is the evidence of a rewrite, never repaired here.
 */
@Injectable()
export class TreeHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('tree');
  readonly tree: LedgerTree;
  readonly identity: LedgerIdentity;
  private readonly sealer: Sealer;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastError: string | undefined;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
    @Inject(CLOCK) clock: Clock,
    health: HealthRegistry,
  ) {
    this.identity = loadLedgerIdentity(process.env, config.dataDir);
    const policy = loadCheckpointPolicy(process.env);
    this.tree = new LedgerTree(store, new SqliteTreeStore(ledgerTreeFile(config.dataDir)));
    this.sealer = new Sealer(store, this.tree, { origin: this.identity.origin, signer: this.identity.signer, ...policy, now: () => clock.now() });
    health.register('tree', async () => this.check());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.round();
    void this.tree.verifyAgainstLedger().catch((err: unknown) => this.report(err));
    this.timer = setInterval(() => void this.round(), TICK_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    this.tree.nodes.close();
  }

  /** The tree brought up to the ledger's head, for a request that needs it current. */
  async current(): Promise<number> {
    return this.tree.catchUp();
  }

  /** The `tree` health component: down on a disagreement with the ledger, or while it cannot catch up. */
  check(): void {
    if (this.tree.fault) throw this.tree.fault;
    if (this.lastError) throw new Error(this.lastError);
  }

  private round(): Promise<void> {
    // One round at a time; a slow round (a large catch-up) makes the next ticks no-ops.
    if (this.running) return this.running;
    this.running = this.sealer
      .tick()
      .then(
        (sealed) => {
          this.lastError = undefined;
          if (sealed !== null) this.logger.log(`checkpoint recorded at tree size ${sealed}`);
        },
        (err: unknown) => this.report(err),
      )
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private report(err: unknown): void {
    if (err instanceof TreeIntegrityError) {
      if (this.lastError !== err.message) this.logger.error(err.message);
      this.lastError = err.message;
      return;
    }
    const reason = healthReason(err);
    if (this.lastError !== reason) this.logger.warn(`tree not caught up: ${reason}`);
    this.lastError = reason;
  }
}
