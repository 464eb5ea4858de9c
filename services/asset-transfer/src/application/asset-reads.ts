import { Inject, Injectable } from '@nestjs/common';
import {
  ASSETS_CATEGORY,
  CATALOGUE_STREAM_ID,
  assetsStreamId,
  livelihoodStreamId,
  toUsdMinor,
  type AssetCatalogueItemApproved,
} from '@peil/contracts';
import { categoryOf, type EventStore, type ExpectedRevision, type Position, type StoredEvent } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform';
import { evolveLivelihood, initialLivelihood, type Livelihood, type StoredAssessmentEvent } from '../../../assessment/src';
import { readHouseholdStatus, type HouseholdStatus } from '../../../enrolment/src';
import { evolveAssets, initialAssets, type HouseholdAssets, type StoredAssetEvent } from '../domain/assets.decider';

/**
 * Reads for asset-transfer decisions, fresh from the ledger: the household (enrolment), its plan
 * (assessment), its deliveries (this context) and the catalogue. Delivery ids are unique across
 * households, so a small index deliveryId → householdId is caught up from the `assets` category.
 */
@Injectable()
export class AssetReads {
  private readonly deliveryIndex = new Map<string, string>();
  private indexedTo: Position | null = null;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async household(householdId: string): Promise<HouseholdStatus> {
    return readHouseholdStatus(this.store, householdId);
  }

  async catalogueEvents(): Promise<StoredEvent[]> {
    return this.store.readStream(CATALOGUE_STREAM_ID);
  }

  /** itemCode → unit ceiling (US cents), as of a position when given. */
  catalogueFrom(events: readonly StoredEvent[], asOf?: Position): Map<string, number> {
    const items = new Map<string, number>();
    for (const e of events) {
      if (asOf !== undefined && e.position > asOf) break;
      const item = e.data as unknown as AssetCatalogueItemApproved;
      items.set(item.itemCode, item.unitCostCeilingMinor);
    }
    return items;
  }

  async catalogue(): Promise<{ items: Map<string, number>; expectedRevision: ExpectedRevision }> {
    const events = await this.catalogueEvents();
    const last = events[events.length - 1];
    return { items: this.catalogueFrom(events), expectedRevision: last ? last.revision : 'no_stream' };
  }

  async plan(householdId: string): Promise<Livelihood['plan']> {
    const events = await this.store.readStream(livelihoodStreamId(householdId));
    const catalogue = await this.catalogueEvents();
    let livelihood = initialLivelihood();
    for (const e of events) {
      const event = { type: e.type, data: e.data, occurredAt: e.occurredAt, eventId: e.eventId } as unknown as StoredAssessmentEvent;
      livelihood = evolveLivelihood(livelihood, event, event.type === 'LivelihoodPlanApproved' ? this.catalogueFrom(catalogue, e.position) : undefined);
    }
    return livelihood.plan;
  }

  async assets(householdId: string): Promise<{ assets: HouseholdAssets; expectedRevision: ExpectedRevision }> {
    const events = await this.store.readStream(assetsStreamId(householdId));
    const assets = events.reduce((s, e) => evolveAssets(s, asAssetEvent(e), toUsdMinor), initialAssets());
    const last = events[events.length - 1];
    return { assets, expectedRevision: last ? last.revision : 'no_stream' };
  }

  /** The household a delivery belongs to, or undefined when no such delivery was recorded. */
  async householdOfDelivery(deliveryId: string): Promise<string | undefined> {
    for (;;) {
      const page = await this.store.readAll(this.indexedTo, 5000);
      for (const e of page) {
        this.indexedTo = e.position;
        if (e.type === 'AssetDelivered' && categoryOf(e.streamId) === ASSETS_CATEGORY) {
          const d = e.data as { deliveryId: string; householdId: string };
          this.deliveryIndex.set(d.deliveryId, d.householdId);
        }
      }
      if (page.length < 5000) break;
    }
    return this.deliveryIndex.get(deliveryId);
  }
}

export function asAssetEvent(e: StoredEvent): StoredAssetEvent {
  return { type: e.type, data: e.data, occurredAt: e.occurredAt, eventId: e.eventId } as unknown as StoredAssetEvent;
}
