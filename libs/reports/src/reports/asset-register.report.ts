import type { ReadTx } from '@peil/projections';
import { AR, type ArDelivery } from '../projections/asset-register.projection';
import { csvDocument } from './csv';

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

/**
 * RFC 4180 CSV: header, one line per delivery, CRLF; serial numbers joined with '|'. The ledger
 * position travels in the X-Ledger-Position header. With `bom` (the default for people), the text
 * starts with a UTF-8 byte-order mark so that Excel shows Arabic names rather than mojibake.
 * Formula guard: a cell starting with = + - @ that is not a number gets a leading apostrophe.
 */
export function assetRegisterCsv(register: Awaited<ReturnType<typeof assetRegister>>, options: { bom: boolean } = { bom: true }): string {
  return csvDocument(ASSET_REGISTER_COLUMNS, register.rows.map((r) => ASSET_REGISTER_COLUMNS.map((c) => r[c])), options);
}
