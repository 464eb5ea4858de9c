import { Inject, Injectable } from '@nestjs/common';
import {
  AssetCatalogueItemApproved,
  AssetDelivered,
  AssetReceiptAcknowledged,
  AssetVerified,
  CATALOGUE_STREAM_ID,
  assetsStreamId,
  toUsdMinor,
} from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import {
  CLOCK,
  DIGEST_KEY,
  EVENT_STORE,
  SubmissionProcessor,
  decisionFrom,
  apiError,
  type Clock,
  type Decision,
  type ValidSubmission,
} from '@peil/platform';
import {
  decideCatalogueItem,
  decideDelivery,
  decideReceipt,
  decideVerification,
} from '../domain/assets.decider';
import { AssetReads } from './asset-reads';
import { DeliveryExpenditures } from './delivery-expenditures';

@Injectable()
export class AssetTransferSubmissions {
  readonly processor: SubmissionProcessor;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    private readonly reads: AssetReads,
    private readonly expenditures: DeliveryExpenditures,
  ) {
    this.processor = new SubmissionProcessor(
      store,
      {
        AssetCatalogueItemApproved: { schema: AssetCatalogueItemApproved, decide: (s) => this.catalogue(s) },
        AssetDelivered: {
          schema: AssetDelivered,
          decide: (s) => this.delivery(s),
          // Step 2 of the delivery flow: the expenditure on the assets line (idempotent; resumed by recovery).
          afterAppend: (s) => this.expenditures.record(s.eventId, s.data, s.occurredAt),
        },
        AssetReceiptAcknowledged: { schema: AssetReceiptAcknowledged, decide: (s) => this.receipt(s) },
        AssetVerified: { schema: AssetVerified, decide: (s) => this.verification(s) },
      },
      digestKey,
      clock,
    );
  }

  private async catalogue(s: ValidSubmission<AssetCatalogueItemApproved>): Promise<Decision> {
    const { expectedRevision } = await this.reads.catalogue();
    return decisionFrom(decideCatalogueItem(s.data), s, CATALOGUE_STREAM_ID, expectedRevision);
  }

  /**
   * The delivery is recorded first — it happened in the field — and its expenditure follows.
   * Overspending is refused before anything is written: the expenditure consumes the plan's
   * commitment, and the grant must have room for whatever the delivery costs above it.
   */
  private async delivery(s: ValidSubmission<AssetDelivered>): Promise<Decision> {
    const d = s.data;
    const [household, plan, { assets, expectedRevision }, { items }, owner] = await Promise.all([
      this.reads.household(d.householdId),
      this.reads.plan(d.householdId),
      this.reads.assets(d.householdId),
      this.reads.catalogue(),
      this.reads.householdOfDelivery(d.deliveryId),
    ]);
    const outcome = decideDelivery(d, { household, plan, assets, catalogue: items, deliveryIdTaken: owner !== undefined }, toUsdMinor);
    if (outcome.ok && plan) {
      const shortfall = await this.expenditures.shortfall(d, plan);
      if (shortfall) return { kind: 'reject', error: apiError('insufficient_funds', shortfall) };
    }
    return decisionFrom(outcome, s, assetsStreamId(d.householdId), expectedRevision);
  }

  private async receipt(s: ValidSubmission<AssetReceiptAcknowledged>): Promise<Decision> {
    const householdId = await this.reads.householdOfDelivery(s.data.deliveryId);
    if (!householdId) return decisionFrom(decideReceipt(s.data, undefined), s, '', 'any');
    const { assets, expectedRevision } = await this.reads.assets(householdId);
    return decisionFrom(decideReceipt(s.data, assets), s, assetsStreamId(householdId), expectedRevision);
  }

  private async verification(s: ValidSubmission<AssetVerified>): Promise<Decision> {
    const householdId = await this.reads.householdOfDelivery(s.data.deliveryId);
    if (!householdId) return decisionFrom(decideVerification(s.data, undefined), s, '', 'any');
    const { assets, expectedRevision } = await this.reads.assets(householdId);
    return decisionFrom(decideVerification(s.data, assets), s, assetsStreamId(householdId), expectedRevision);
  }
}
