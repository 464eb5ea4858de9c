import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { AssetTransferEvent } from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import { CLOCK, type Clock } from '@peil/platform/clock';
import { FollowUpRecovery } from '@peil/platform/flows';
import { EVENT_STORE, LEDGER_FEEDS } from '@peil/platform/nest';
import { recordedAs } from '@peil/platform/streams';
import type { LedgerFeeds } from '@peil/projections';
import { DeliveryExpenditures } from './delivery-expenditures';

export const RECOVERY_INTERVAL_MS = Symbol('RecoveryIntervalMs');
const DELIVERED = new Set(['AssetDelivered']);

/** Every AssetDelivered in the ledger gets its ExpenditureRecorded, even after a crash between the two. */
@Injectable()
export class DeliveryExpenditureRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly recovery: FollowUpRecovery;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(RECOVERY_INTERVAL_MS) intervalMs: number,
    expenditures: DeliveryExpenditures,
    @Inject(LEDGER_FEEDS) feeds: LedgerFeeds,
  ) {
    this.recovery = new FollowUpRecovery(store, clock, {
      name: 'delivery expenditure',
      needsFollowUp: (e) => e.type === 'AssetDelivered',
      completes: (e) => (e.type === 'ExpenditureRecorded' ? (e.data as { relatedEventId?: string }).relatedEventId : undefined),
      resume: async (e) => {
        const delivery = recordedAs<AssetTransferEvent>(e, DELIVERED);
        if (delivery?.type === 'AssetDelivered') await expenditures.record(delivery.eventId, delivery.data, delivery.occurredAt);
      },
    }, intervalMs, feeds);
  }

  onApplicationBootstrap(): void {
    this.recovery.start();
  }

  onApplicationShutdown(): void {
    this.recovery.stop();
  }
}
