import { Injectable } from '@nestjs/common';
import { AssetReads } from './asset-reads';
import { AssetTransferSubmissions } from './asset-transfer.handlers';

/** A household's deliveries with receipt and latest verification (no personal data here). */
@Injectable()
export class AssetsQuery {
  constructor(
    private readonly reads: AssetReads,
    private readonly submissions: AssetTransferSubmissions,
  ) {}

  async household(householdId: string) {
    const household = await this.reads.household(householdId);
    if (household.status === 'unknown') return null;
    const [{ assets, expectedRevision }, plan] = await Promise.all([this.submissions.assets(householdId), this.reads.plan(householdId)]);
    const deliveries = [...assets.deliveries.values()].map((d) => ({
      ...d,
      // A copy: the folded state may take later events before this answer is serialised.
      verifications: [...d.verifications],
      latestVerification: d.verifications[d.verifications.length - 1]?.status ?? null,
    }));
    const remaining = plan
      ? plan.assetKit.map((line) => ({ itemCode: line.itemCode, planned: line.quantity, delivered: assets.deliveredByItem.get(line.itemCode) ?? 0 }))
      : [];
    return { householdId, householdStatus: household.status, planId: plan?.planId ?? null, kit: remaining, deliveries, revision: expectedRevision };
  }

  async catalogue() {
    return (await this.reads.catalogueItems()).map((a) => ({ ...a.item, approvedAt: a.approvedAt }));
  }
}
