import { Inject, Injectable } from '@nestjs/common';
import {
  ASSET_TRANSFER_EVENT_SCHEMAS,
  AssetCatalogueItemApproved,
  AssetDelivered,
  AssetReceiptAcknowledged,
  AssetVerified,
  CATALOGUE_STREAM_ID,
  assetsStreamId,
  toUsdMinor,
  type AssetTransferEvent,
  type Catalogue,
} from '@peil/contracts';
import type { EventStore, ExpectedRevision } from '@peil/ledger';
import { CLOCK, type Clock } from '@peil/platform/clock';
import { DIGEST_KEY, EVENT_STORE } from '@peil/platform/nest';
import { DeciderRuntime } from '@peil/platform/streams';
import { SubmissionProcessor } from '@peil/platform/submissions';
import {
  assetsDecider,
  catalogueDecider,
  type AssetsCommand,
  type AssetsContext,
  type HouseholdAssets,
} from '../domain/assets.decider';
import { AssetReads } from './asset-reads';
import { DeliveryExpenditures } from './delivery-expenditures';

type AssetsData = AssetsCommand['data'];

/**
 * Asset-transfer's two stream kinds through the decider runtime: the catalogue, and each
 * household's assets stream, decided with what other contexts published (household, plan,
 * catalogue) and the grant's funding read before each decision. The delivery is recorded first —
 * it happened in the field — and its expenditure follows as the flow's next step.
 */
@Injectable()
export class AssetTransferSubmissions {
  readonly processor: SubmissionProcessor;
  private readonly assetStreams: DeciderRuntime<HouseholdAssets, AssetsData, AssetTransferEvent, AssetsContext>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    reads: AssetReads,
    expenditures: DeliveryExpenditures,
  ) {
    const catalogue = new DeciderRuntime<Catalogue, AssetCatalogueItemApproved, AssetTransferEvent>(
      store,
      { streamId: () => CATALOGUE_STREAM_ID, decider: catalogueDecider, events: ASSET_TRANSFER_EVENT_SCHEMAS },
      { maxStreams: 1 },
    );
    this.assetStreams = new DeciderRuntime<HouseholdAssets, AssetsData, AssetTransferEvent, AssetsContext>(store, {
      // A delivery names its household; a receipt or verification finds it through its delivery.
      streamId: (data, { deliveryOwner }) => {
        const householdId = 'householdId' in data ? data.householdId : deliveryOwner;
        return householdId === undefined ? undefined : assetsStreamId(householdId);
      },
      decider: assetsDecider(toUsdMinor),
      events: ASSET_TRANSFER_EVENT_SCHEMAS,
      inputs: (data) => deliveryContext(reads, expenditures, data),
    });
    this.processor = new SubmissionProcessor(
      store,
      {
        AssetCatalogueItemApproved: catalogue.handler(AssetCatalogueItemApproved),
        AssetDelivered: {
          ...this.assetStreams.handler(AssetDelivered),
          // Its inputs ask the grant service what the plan's commitment still holds.
          asksOtherServices: true,
          // Step 2 of the delivery flow: the expenditure on the assets line (idempotent; resumed by recovery).
          afterAppend: (s) => expenditures.record(s.eventId, s.data, s.occurredAt),
        },
        AssetReceiptAcknowledged: this.assetStreams.handler(AssetReceiptAcknowledged),
        AssetVerified: this.assetStreams.handler(AssetVerified),
      },
      digestKey,
      clock,
     {
        groupCommit: true,
      },
    );
  }

  /** A household's assets stream folded up to its newest event, and the revision its next append expects. */
  async assets(householdId: string): Promise<{ assets: HouseholdAssets; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.assetStreams.aggregate(assetsStreamId(householdId));
    return { assets: state, expectedRevision };
  }
}

/** What an assets decision reads first: the delivery id's owner, and for a delivery its household, plan, catalogue and funding. */
async function deliveryContext(reads: AssetReads, expenditures: DeliveryExpenditures, data: AssetsData): Promise<AssetsContext> {
  if (!('householdId' in data)) return { deliveryOwner: await reads.householdOfDelivery(data.deliveryId) };
  const [deliveryOwner, household, plan, catalogue] = await Promise.all([
    reads.householdOfDelivery(data.deliveryId),
    reads.household(data.householdId),
    reads.plan(data.householdId),
    reads.catalogue(),
  ]);
  // Without a plan the delivery is refused before its funding matters: the grant is not asked.
  const funding = plan ? await expenditures.funding(plan) : { commitmentOutstandingMinor: 0 };
  return { deliveryOwner, delivery: { household, plan, catalogue, funding } };
}
