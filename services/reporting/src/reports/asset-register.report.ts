import type { ReadTx } from '@peil/projections';
import { AR, type ArDelivery } from '../projections/asset-register.projection';
import { governorateKey } from './beneficiaries.report';
import { csvDocument } from './csv';

export const ASSET_REGISTER_COLUMNS = [
  'deliveryId', 'householdRef', 'governorate', 'district', 'itemCode', 'itemName', 'category', 'quantity', 'serialNumbers', 'unitCostMinor', 'currency', 'fxRateToUsd',
  'unitCostUsdMinor', 'totalUsdMinor', 'supplier', 'invoiceRef', 'deliveredAt', 'acknowledged', 'latestVerification', 'expenditureId',
] as const;

type Row = Record<(typeof ASSET_REGISTER_COLUMNS)[number], unknown>;

/** Deliveries, quantity and US cents per value of one column (null: not known, e.g. an item missing from the catalogue). */
function summaryBy<K extends string>(rows: Row[], key: K, valueOf: (row: Row) => string | null) {
  const groups = new Map<string | null, { deliveries: number; quantity: number; totalUsdMinor: number }>();
  for (const r of rows) {
    const value = valueOf(r);
    const g = groups.get(value) ?? { deliveries: 0, quantity: 0, totalUsdMinor: 0 };
    g.deliveries += 1;
    g.quantity += r.quantity as number;
    g.totalUsdMinor += r.totalUsdMinor as number;
    groups.set(value, g);
  }
  // Sorted by code unit (no locale), the unknown last, so the same position gives the same bytes everywhere.
  const rank = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return [...groups].sort(([a], [b]) => rank(a, b)).map(([value, g]) => ({ [key]: value, ...g }) as { [P in K]: string | null } & typeof g);
}

/** One row per delivery in ledger order, with totals in US cents and a summary by governorate and by kit category. */
export async function assetRegister(tx: ReadTx) {
  const rows = (await tx.all<ArDelivery>(AR.deliveries))
    .map((r) => r.doc)
    .sort((a, b) => a.position - b.position)
    .map((d) => {
      // A plain loop rather than Object.fromEntries: the same row, without an entry array per cell.
      const row = {} as Row;
      for (const c of ASSET_REGISTER_COLUMNS) row[c] = d[c];
      return row;
    });
  return {
    rows,
    totals: {
      deliveries: rows.length,
      quantity: rows.reduce((s, r) => s + (r.quantity as number), 0),
      totalUsdMinor: rows.reduce((s, r) => s + (r.totalUsdMinor as number), 0),
      acknowledged: rows.filter((r) => r.acknowledged).length,
      withExpenditure: rows.filter((r) => r.expenditureId !== null).length,
    },
    summary: {
      byGovernorate: summaryBy(rows, 'governorate', (r) => (r.governorate === null ? null : governorateKey(r.governorate as string))),
      byCategory: summaryBy(rows, 'category', (r) => r.category as string | null),
    },
  };
}

/**
 * RFC 4180 CSV: header, one line per delivery, CRLF; serial numbers joined with '|'. The ledger
 * position travels in the X-Ledger-Position header. With `bom` (the default for people), the text
 * starts with a UTF-8 byte-order mark so that Excel shows Arabic names rather than mojibake.
 * Formula guard: a cell starting with = + - @ that is not a number gets a leading apostrophe.
 */
export function assetRegisterCsv(register: Awaited<ReturnType<typeof assetRegister>>, options: { bom: boolean } = { bom: true }): string {
  return csvDocument(ASSET_REGISTER_COLUMNS, register.rows.map((r) => ASSET_REGISTER_COLUMNS.map((c) => r[c])), options);
}
