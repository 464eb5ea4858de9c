import { Inject, Injectable } from '@nestjs/common';
import {
  ASSET_TRANSFER_EVENT_SCHEMAS,
  ASSETS_CATEGORY,
  approvedPlanOf,
  approvedPlanView,
  catalogueCeilings,
  catalogueView,
  householdStatusView,
  type ApprovedPlan,
  type AssessmentEvent,
  type AssetTransferEvent,
  type Catalogue,
  type CatalogueApproval,
  type EnrolmentEvent,
  type HouseholdStatus,
  type PlanApproval,
} from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform/nest';
import { LedgerView, PublishedReader, typedFold } from '@peil/platform/streams';

/**
 * What asset-transfer decisions read besides the stream they append to, from the ledger: the
 * household (enrolment's published view), its plan (assessment's) and the catalogue, each kept
 * folded and caught up before every read. Delivery ids are unique across households, so a small
 * index deliveryId → householdId is caught up from the `assets` category.
 */
@Injectable()
export class AssetReads {
  private readonly households: PublishedReader<HouseholdStatus, EnrolmentEvent>;
  private readonly catalogueStream: PublishedReader<Catalogue, AssetTransferEvent>;
  private readonly plans: PublishedReader<PlanApproval | undefined, AssessmentEvent>;
  private readonly deliveryIndex: LedgerView<Map<string, string>>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.households = new PublishedReader(store, householdStatusView);
    this.catalogueStream = new PublishedReader(store, catalogueView, { maxStreams: 1 });
    this.plans = new PublishedReader(store, approvedPlanView);
    const deliveries = typedFold<Map<string, string>, AssetTransferEvent>(ASSET_TRANSFER_EVENT_SCHEMAS, () => new Map(), (index, e) => {
      if (e.type === 'AssetDelivered') index.set(e.data.deliveryId, e.data.householdId);
      return index;
    });
    this.deliveryIndex = new LedgerView(store, deliveries, { category: ASSETS_CATEGORY });
  }

  async household(householdId: string): Promise<HouseholdStatus> {
    return this.households.read(householdId);
  }

  /** The latest approval of each catalogue item. */
  async catalogueItems(): Promise<CatalogueApproval[]> {
    return [...(await this.catalogueStream.read()).latest.values()];
  }

  /** itemCode → unit ceiling (US cents) now. */
  async catalogue(): Promise<Map<string, number>> {
    return catalogueCeilings(await this.catalogueStream.read());
  }

  /** The household's approved plan, priced at the catalogue in force when it was approved. */
  async plan(householdId: string): Promise<ApprovedPlan | undefined> {
    const approval = await this.plans.read(householdId);
    // Read after the plan: the catalogue then holds every approval up to the plan's position.
    return approvedPlanOf(approval, await this.catalogueStream.read());
  }

  /** The household a delivery belongs to, or undefined when no such delivery was recorded. */
  async householdOfDelivery(deliveryId: string): Promise<string | undefined> {
    return (await this.deliveryIndex.current()).state.get(deliveryId);
  }
}
