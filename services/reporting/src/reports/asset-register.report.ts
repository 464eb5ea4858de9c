import type { ReadTx } from '@peil/projections';
import { AR, type ArDelivery } from '../projections/asset-register.projection';

export const ASSET_REGISTER_COLUMNS = [
  'deliveryId', 'householdRef', 'governorate', 'district', 'itemCode', 'itemName', 'category', 'quantity', 'serialNumbers', 'unitCostMinor', 'currency', 'fxRateToUsd',
  'unitCostUsdMinor', 'totalUsdMinor', 'supplier', 'invoiceRef', 'deliveredAt', 'acknowledged', 'latestVerification', 'expenditureId',
] as const;

/** One row per delivery in ledger order, with totals in US cents. */
export async function assetRegister(tx: ReadTx) {
  const rows = (await tx.all<ArDelivery>(AR.deliveries))
    .map((r) => r.doc)
    .sort((a, b) => a.position - b.position)
    .map((d) => {
      // A plain loop rather than Object.fromEntries: the same row, without an entry array per cell.
      const row = {} as Record<(typeof ASSET_REGISTER_COLUMNS)[number], unknown>;
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
  };
}

/** Excel reads a CSV file as the machine's legacy code page unless it starts with a UTF-8 byte-order mark. */
export const UTF8_BOM = '\uFEFF';

/**
 * RFC 4180 CSV: header, one line per delivery, CRLF; serial numbers joined with '|'. The ledger
 * position travels in the X-Ledger-Position header. With `bom` (the default for people), the text
 * starts with a UTF-8 byte-order mark so that Excel shows Arabic names rather than mojibake.
 * Formula guard: a cell starting with = + - @ that is not a number gets a leading apostrophe.
 */
export function assetRegisterCsv(register: Awaited<ReturnType<typeof assetRegister>>, options: { bom: boolean } = { bom: true }): string {
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join('|') : String(v);
    // Quote when needed, and neutralise spreadsheet formulas (a supplier named "=HYPERLINK(...)").
    const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [ASSET_REGISTER_COLUMNS.join(','), ...register.rows.map((r) => ASSET_REGISTER_COLUMNS.map((c) => cell(r[c])).join(','))];
  return `${options.bom ? UTF8_BOM : ''}${lines.join('\r\n')}\r\n`;
}
