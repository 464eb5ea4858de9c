import { Inject, Injectable } from '@nestjs/common';
import { ASSETS_CATEGORY, assetsStreamId, toUsdMinor } from '@peil/contracts';
import { categoryOf, type EventStore, type ExpectedRevision, type StoredEvent } from '@peil/ledger';
import { EVENT_STORE, LedgerView, StreamStateCache } from '@peil/platform';
import { CatalogueReader, LivelihoodReader, type CatalogueApproval, type Livelihood } from '../../../assessment/src';
import { HouseholdStatusReader, type HouseholdStatus } from '../../../enrolment/src';
import { evolveAssets, initialAssets, type HouseholdAssets, type StoredAssetEvent } from '../domain/assets.decider';

/**
 * Reads for asset-transfer decisions, from the ledger: the household (enrolment), its plan
 * (assessment), its deliveries (this context) and the catalogue, each stream kept folded and caught
 * up before every read. Delivery ids are unique across households, so a small index
 * deliveryId → householdId is caught up from the `assets` category.
 */
@Injectable()
export class AssetReads {
  private readonly households: HouseholdStatusReader;
  private readonly catalogueReader: CatalogueReader;
  private readonly livelihoods: LivelihoodReader;
  private readonly assetStreams: StreamStateCache<HouseholdAssets>;
  private readonly deliveryIndex: LedgerView<Map<string, string>>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.households = new HouseholdStatusReader(store);
    this.catalogueReader = new CatalogueReader(store);
    this.livelihoods = new LivelihoodReader(store, this.catalogueReader);
    this.assetStreams = new StreamStateCache(store, { initialState: initialAssets, evolve: (s, e) => evolveAssets(s, asAssetEvent(e), toUsdMinor) });
    this.deliveryIndex = new LedgerView(store, {
      initialState: () => new Map<string, string>(),
      evolve: (index, e) => {
        if (e.type === 'AssetDelivered' && categoryOf(e.streamId) === ASSETS_CATEGORY) {
          const d = e.data as { deliveryId: string; householdId: string };
          index.set(d.deliveryId, d.householdId);
        }
        return index;
      },
    });
  }

  async household(householdId: string): Promise<HouseholdStatus> {
    return this.households.read(householdId);
  }

  /** The latest approval of each catalogue item. */
  async catalogueItems(): Promise<CatalogueApproval[]> {
    return [...(await this.catalogueReader.current()).items.values()];
  }

  /** itemCode → unit ceiling (US cents), and the revision the next catalogue append expects. */
  async catalogue(): Promise<{ items: Map<string, number>; expectedRevision: ExpectedRevision }> {
    const { items, expectedRevision } = await this.catalogueReader.current();
    return { items: new Map([...items].map(([code, a]) => [code, a.item.unitCostCeilingMinor])), expectedRevision };
  }

  async plan(householdId: string): Promise<Livelihood['plan']> {
    return (await this.livelihoods.read(householdId)).livelihood.plan;
  }

  async assets(householdId: string): Promise<{ assets: HouseholdAssets; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.assetStreams.aggregateStream(assetsStreamId(householdId));
    return { assets: state, expectedRevision };
  }

  /** The household a delivery belongs to, or undefined when no such delivery was recorded. */
  async householdOfDelivery(deliveryId: string): Promise<string | undefined> {
    return (await this.deliveryIndex.current()).state.get(deliveryId);
  }
}

export function asAssetEvent(e: StoredEvent): StoredAssetEvent {
  return { type: e.type, data: e.data, occurredAt: e.occurredAt, eventId: e.eventId } as unknown as StoredAssetEvent;
}
