/** The shapes of the reports the page reads (the parts it shows), as the OpenAPI document describes them. */
export interface Envelope {
  report: string;
  ledgerPosition: number | null;
  asOf: string | null;
  treeSize: number;
  rootHash: string | null;
}

export interface Amounts {
  allocationMinor: number;
  committedMinor: number;
  spentPeriodMinor: number;
  spentCumulativeMinor: number;
  remainingMinor: number;
}

export interface GrantStatement extends Envelope {
  period: string;
  grants: Array<{
    grantId: string;
    donor: string;
    amountMinor: number;
    components: Array<{ code: string; name: string; budgetLines: Array<{ code: string; name: string } & Amounts>; totals: Amounts }>;
    totals: Amounts;
    spendingByMonth: Array<{ month: string; spentMinor: number }>;
  }>;
}

export interface AssetRow {
  deliveryId: string;
  householdRef: string;
  governorate: string | null;
  district: string | null;
  itemCode: string;
  itemName: string;
  category: string | null;
  quantity: number;
  totalUsdMinor: number;
  deliveredAt: string;
}

export interface AssetSummaryRow {
  deliveries: number;
  quantity: number;
  totalUsdMinor: number;
}

export interface AssetRegister extends Envelope {
  rows: AssetRow[];
  totals: { deliveries: number; quantity: number; totalUsdMinor: number };
  summary: {
    byGovernorate: Array<AssetSummaryRow & { governorate: string | null }>;
    byCategory: Array<AssetSummaryRow & { category: string | null }>;
  };
}

export interface FunnelStage {
  stage: string;
  total: number;
  bySex: { F: number; M: number };
  byGovernorate: Record<string, number>;
}

export interface HouseholdCounts {
  total: number;
  F: number;
  M: number;
  active: number;
  withdrawn: number;
  replaced: number;
}

export interface Beneficiaries extends Envelope {
  households: {
    total: number;
    byStatus: { active: number; withdrawn: number; replaced: number };
    bySex: { F: number; M: number };
    byGovernorate: Record<string, HouseholdCounts>;
  };
  funnel: FunnelStage[];
}

export interface RoundSummary {
  householdsSurveyed: number;
  meanMonthlyIncomeUsdMinor: number | null;
  shareBusinessOperating: string | null;
  shareEmployed: string | null;
  meanSavingsUsdMinor: number | null;
}

export interface Indicators extends Envelope {
  rounds: Record<'baseline' | 'midline' | 'endline', RoundSummary>;
}

export interface Verification {
  ok: boolean;
  checkedEvents: number;
  firstFailure?: { position: number; reason: string; detail: string };
}

/** A C2SP checkpoint note: origin, tree size and base64 root hash on its first three lines. */
export function parseCheckpoint(note: string): { origin: string; size: number; root: string } {
  const [origin = '', size = '0', root = ''] = note.split('\n');
  return { origin, size: Number(size), root };
}
