import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { EventStore } from '@peil/ledger';
import { createRelayFromEnv, type OutboundRelay } from '@peil/messaging';
import { type PlatformConfig } from '@peil/platform/config';
import { EVENT_STORE, HealthRegistry, METRICS, PLATFORM_CONFIG } from '@peil/platform/nest';
import { type ServiceMetrics } from '@peil/platform/observability';

/**
 * The outbound relay (0012) runs inside the ledger service when PEIL_BUS=kafka: one relay per
 * ledger, beside the store it reads. It resumes from its checkpoint at boot; check() is its health
 * — down while the broker refuses it, with its lag. With PEIL_BUS=store nothing is created.
 */
@Injectable()
export class RelayHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('relay');
  readonly relay: OutboundRelay | null;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
    health: HealthRegistry,
    @Inject(METRICS) metrics: ServiceMetrics,
  ) {
    this.relay = createRelayFromEnv(process.env, store, config.dataDir, {
      // One line per failed attempt; the back-off (capped at PEIL_RELAY_RETRY_MAX_MS) bounds the rate.
      onError: (err, failures, delayMs) =>
        this.logger.warn(`publish failed (${failures} in a row), retrying in ${delayMs} ms: ${err instanceof Error ? err.message : String(err)}`),
    });
    // The ledger's /internal/health (and so the gateway's /v1/health) names the relay while it is down.
    if (this.relay) health.register('relay', () => this.check());
    const relay = this.relay;
    if (relay) metrics.gauge('peil_relay_lag_events', 'Events in the ledger not yet published to Kafka (head − last published)', () => relay.lag());
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.relay) return;
    await this.relay.start();
    this.logger.log(`publishing the ledger to Kafka from position ${this.relay.status().checkpoint ?? 'start'}`);
  }

  /** Before the store closes (onApplicationShutdown): the batch in flight settles, its checkpoint is saved. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.close();
  }

  /** The `relay` health component: rejects while publishes fail (broker unreachable), naming the lag. */
  async check(): Promise<void> {
    if (!this.relay) return;
    const status = this.relay.status();
    if (status.failures > 0) throw new Error(`broker unreachable (${status.lastError ?? 'unknown error'}); lag ${await this.relay.lag()} events`);
  }
}
