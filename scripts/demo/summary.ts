import type { EventResult } from './client';

export type Tally = Record<string, { accepted: number; duplicate: number; rejected: number }>;

/** Answers counted per event type, and a `total` row. */
export function tallyOf(results: Array<{ type: string; result: EventResult }>): Tally {
  const tally: Tally = {};
  const total = { accepted: 0, duplicate: 0, rejected: 0 };
  for (const { type, result } of results) {
    const row = (tally[type] ??= { accepted: 0, duplicate: 0, rejected: 0 });
    row[result.status] += 1;
    total[result.status] += 1;
  }
  return { ...tally, total };
}

const n = (v: number) => v.toLocaleString('en-US');
const usd = (cents: number) => `US$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export interface Summary {
  seed: string;
  households: number;
  dashboard: string;
  elapsedMs: number;
  ledger: { before: number; after: number };
  events: Tally;
  reports: {
    households: { total: number; byStatus: { active: number; withdrawn: number; replaced: number }; bySex: { F: number; M: number } };
    grant: { allocationMinor: number; committedMinor: number; spentCumulativeMinor: number } | null;
    grantAmountMinor: number;
    assets: { deliveries: number; totalUsdMinor: number };
  };
}

/** What a person reads at the end of `npm run demo`. */
export function summaryText(s: Summary): string {
  const rows = Object.entries(s.events).map(([type, t]) => `  ${type.padEnd(28)}${n(t.accepted).padStart(10)}${n(t.duplicate).padStart(11)}${n(t.rejected).padStart(10)}`);
  const { households: h, grant, assets } = s.reports;
  const total = s.events.total!;
  const seconds = s.elapsedMs / 1000;
  return [
    '',
    `PEIL pilot, seed ${s.seed}: ${n(s.households)} households over 18 months (June 2025 to November 2026)`,
    '',
    `  ${'event type'.padEnd(28)}${'accepted'.padStart(10)}${'duplicate'.padStart(11)}${'rejected'.padStart(10)}`,
    ...rows,
    '',
    `  ledger      ${n(s.ledger.before)} → ${n(s.ledger.after)} events (with the events the services derive: commitments, expenditures)`,
    grant
      ? `  grant       ${usd(s.reports.grantAmountMinor)}: committed ${usd(grant.committedMinor)}, spent ${usd(grant.spentCumulativeMinor)} (grant statement)`
      : '  grant       not in the grant statement',
    `  assets      ${n(assets.deliveries)} deliveries worth ${usd(assets.totalUsdMinor)} (asset register)`,
    `  households  ${n(h.total)}: ${n(h.byStatus.active)} active, ${n(h.byStatus.withdrawn)} withdrawn, ${n(h.byStatus.replaced)} with a replaced participant; ${n(h.bySex.F)} women, ${n(h.bySex.M)} men`,
    `  time        ${seconds.toFixed(1)} s (${n(Math.round((total.accepted + total.duplicate) / Math.max(seconds, 0.001)))} events/s)`,
    '',
    `Dashboard: ${s.dashboard}  (sign in with a key from api-keys.json in the data dir, e.g. the donor's)`,
    '',
  ].join('\n');
}
