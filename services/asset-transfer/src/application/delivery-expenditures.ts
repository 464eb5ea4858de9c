import { Inject, Injectable } from '@nestjs/common';
import { deliveryExpenditureId, planCommitmentId, toUsdMinor, type ApprovedPlan, type AssetDelivered } from '@peil/contracts';
import { derivedEventId } from '@peil/platform';
import { GRANT_CLIENT, type GrantClient } from '@peil/platform';
import { AssetReads } from './asset-reads';


export class DeliveryFundingError extends Error {}

/**
 * The plan's ceiling for an item, 0 for an item outside it. Item codes are the client's strings:
 * an own-member check, so "constructor" or "toString" never finds Object.prototype's functions.
 */
export function unitCeiling(plan: Pick<ApprovedPlan, 'unitCeilings'>, itemCode: string): number {
  return Object.hasOwn(plan.unitCeilings, itemCode) ? plan.unitCeilings[itemCode]! : 0;
}

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

  private money(d: AssetDelivered, plan: ApprovedPlan) {
    const spend = toUsdMinor(d.unitCostMinor * d.quantity, d.currency, d.fxRateToUsd);
    const consume = d.quantity * unitCeiling(plan, d.itemCode);
    return { spend, consume };
  }

  /** Why the assets line cannot pay for this delivery, or undefined when it can. */
  async shortfall(d: AssetDelivered, plan: ApprovedPlan): Promise<string | undefined> {
    const line = await this.grant.lineFor('assets');
    if (!line) return 'no signed grant has a budget line with purpose "assets"';
    const { spend, consume } = this.money(d, plan);
    const outstanding = await this.grant.commitmentOutstanding(planCommitmentId(plan.planId));
    const fromCommitment = Math.min(consume, outstanding);
    const extra = spend - fromCommitment;
    if (extra > line.remainingMinor) {
      return `the delivery costs ${spend} US cents, ${extra} above what plan ${plan.planId} holds, and ${line.code} has ${line.remainingMinor} left`;
    }
    return undefined;
  }

  async record(deliveryEventId: string, d: AssetDelivered, occurredAt: string): Promise<void> {
    const thePlan = await this.reads.plan(d.householdId);
    if (!thePlan) throw new DeliveryFundingError(`household ${d.householdId} has no plan to fund delivery ${d.deliveryId}`);
    const line = await this.grant.lineFor('assets');
    if (!line) throw new DeliveryFundingError('no budget line with purpose "assets"');
    const { consume } = this.money(d, thePlan);
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
        commitmentConsumedMinor: consume,
      },
    });
    if (result.status === 'rejected') {
      throw new DeliveryFundingError(`expenditure for delivery ${d.deliveryId} refused: ${result.error?.code} ${result.error?.message}`);
    }
  }
}
