import { Inject, Injectable } from '@nestjs/common';
import { deliveryExpenditureId, planCommitmentId, toUsdMinor, type ApprovedPlan, type AssetDelivered } from '@peil/contracts';
import { derivedEventId } from '@peil/platform/ids';
import { GRANT_CLIENT, type GrantClient } from '@peil/platform/clients';
import { deliveryMoney, type DeliveryFunding } from '../domain/assets.decider';
import { AssetReads } from './asset-reads';


export class DeliveryFundingError extends Error {}

/**
 * Step 2 of a delivery: exactly one ExpenditureRecorded on the assets line, linked by
 * relatedEventId, consuming the plan's commitment for the items delivered (what the commitment held
 * above the actual cost is released with it, in the same grant append). The eventId is derived from
 * the delivery's, so this can run any number of times and records once.
 */
@Injectable()
export class DeliveryExpenditures {
  constructor(
    @Inject(GRANT_CLIENT) private readonly grant: GrantClient,
    private readonly reads: AssetReads,
  ) {}

  /** What the grant can give a delivery under `plan`, read before the delivery is decided (a live answer from the grant service). */
  async funding(plan: Pick<ApprovedPlan, 'planId'>): Promise<DeliveryFunding> {
    const line = await this.grant.lineFor('assets');
    if (!line) return { commitmentOutstandingMinor: 0 };
    const commitmentOutstandingMinor = await this.grant.commitmentOutstanding(planCommitmentId(plan.planId));
    return { line: { code: line.code, remainingMinor: line.remainingMinor }, commitmentOutstandingMinor };
  }

  async record(deliveryEventId: string, d: AssetDelivered, occurredAt: string): Promise<void> {
    const thePlan = await this.reads.plan(d.householdId);
    if (!thePlan) throw new DeliveryFundingError(`household ${d.householdId} has no plan to fund delivery ${d.deliveryId}`);
    const line = await this.grant.lineFor('assets');
    if (!line) throw new DeliveryFundingError('no budget line with purpose "assets"');
    const { consumeMinor } = deliveryMoney(d, thePlan, toUsdMinor);
    const result = await this.grant.submit({
      eventId: derivedEventId(deliveryEventId, 'expenditure'),
      type: 'ExpenditureRecorded',
      occurredAt,
      data: {
        expenditureId: deliveryExpenditureId(d.deliveryId),
        budgetLine: line.code,
        amountMinor: d.unitCostMinor * d.quantity,
        currency: d.currency,
        ...(d.fxRateToUsd === undefined ? {} : { fxRateToUsd: d.fxRateToUsd }),
        payee: d.supplier,
        documentRef: d.invoiceRef,
        relatedEventId: deliveryEventId,
        commitmentId: planCommitmentId(thePlan.planId),
        commitmentConsumedMinor: consumeMinor,
      },
    });
    if (result.status === 'rejected') {
      throw new DeliveryFundingError(`expenditure for delivery ${d.deliveryId} refused: ${result.error?.code} ${result.error?.message}`);
    }
  }
}
