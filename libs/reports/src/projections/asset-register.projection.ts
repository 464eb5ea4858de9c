import { toUsdMinor } from '@peil/contracts';
import type { StoredEvent } from '@peil/ledger';
import type { Projection, ReadTx } from '@peil/projections';
import { update } from './docs';

export const AR = { deliveries: 'ar_deliveries', catalogue: 'ar_catalogue', byEvent: 'ar_delivery_events', households: 'ar_households' } as const;

export interface ArDelivery {
  [k: string]: unknown;
  deliveryId: string;
  householdRef: string;
  itemCode: string;
  itemName: string | null;
  category: string | null;
  governorate: string | null;
  district: string | null;
  quantity: number;
  serialNumbers: string[];
  unitCostMinor: number;
  currency: string;
  fxRateToUsd: string | null;
  unitCostUsdMinor: number;
  totalUsdMinor: number;
  supplier: string;
  invoiceRef: string;
  deliveredAt: string;
  acknowledged: boolean;
  latestVerification: string | null;
  expenditureId: string | null;
  position: number;
}

type D = Record<string, any>;

/** One row per delivery, joined with its catalogue category, receipt, latest verification and expenditure. */
export function assetRegisterProjection(householdRef: (householdId: string) => string): Projection {
  return {
    name: 'asset-register',
    version: 3,
    collections: Object.values(AR),
    handles: (e) => ['HouseholdEnrolled', 'AssetCatalogueItemApproved', 'AssetDelivered', 'AssetReceiptAcknowledged', 'AssetVerified', 'ExpenditureRecorded', 'ExpenditureReversed'].includes(e.type),
    async apply(e: StoredEvent, tx: ReadTx): Promise<void> {
      const d = e.data as D;
      switch (e.type) {
        // Where the asset went: the household's governorate and district as enrolled (not personal data).
        case 'HouseholdEnrolled':
          await tx.put(AR.households, d.householdId, { governorate: d.governorate, district: d.district });
          return;
        case 'AssetCatalogueItemApproved':
          await tx.put(AR.catalogue, d.itemCode, { category: d.category, name: d.name });
          return;
        case 'AssetDelivered': {
          const item = await tx.get<{ category: string; name: string }>(AR.catalogue, d.itemCode);
          const place = await tx.get<{ governorate: string; district: string }>(AR.households, d.householdId);
          await tx.put(AR.byEvent, e.eventId, { deliveryId: d.deliveryId });
          await tx.put(AR.deliveries, d.deliveryId, {
            deliveryId: d.deliveryId, householdRef: householdRef(d.householdId), itemCode: d.itemCode, itemName: item?.name ?? null, category: item?.category ?? null,
            governorate: place?.governorate ?? null, district: place?.district ?? null,
            quantity: d.quantity, serialNumbers: d.serialNumbers ?? [], unitCostMinor: d.unitCostMinor, currency: d.currency, fxRateToUsd: d.fxRateToUsd ?? null,
            unitCostUsdMinor: toUsdMinor(d.unitCostMinor, d.currency, d.fxRateToUsd), totalUsdMinor: toUsdMinor(d.unitCostMinor * d.quantity, d.currency, d.fxRateToUsd),
            supplier: d.supplier, invoiceRef: d.invoiceRef, deliveredAt: e.occurredAt, acknowledged: false, latestVerification: null, expenditureId: null, position: e.position,
          } satisfies ArDelivery);
          return;
        }
        case 'AssetReceiptAcknowledged':
          if (await tx.get(AR.deliveries, d.deliveryId)) await update<ArDelivery>(tx, AR.deliveries, d.deliveryId, absent, (x) => void (x.acknowledged = true));
          return;
        case 'AssetVerified':
          if (await tx.get(AR.deliveries, d.deliveryId)) await update<ArDelivery>(tx, AR.deliveries, d.deliveryId, absent, (x) => void (x.latestVerification = d.status));
          return;
        case 'ExpenditureRecorded': {
          const link = d.relatedEventId ? await tx.get<{ deliveryId: string }>(AR.byEvent, d.relatedEventId) : undefined;
          if (link) await update<ArDelivery>(tx, AR.deliveries, link.deliveryId, absent, (x) => void (x.expenditureId = d.expenditureId));
          return;
        }
        case 'ExpenditureReversed': {
          // A reversed expenditure no longer pays for the delivery; the register shows it unpaid.
          for (const { id, doc } of await tx.all<ArDelivery>(AR.deliveries)) {
            if (doc.expenditureId === d.expenditureId) await tx.put(AR.deliveries, id, { ...doc, expenditureId: null });
          }
          return;
        }
      }
    },
  };
}

function absent(): never {
  throw new Error('asset-register projection: event refers to a delivery the ledger never recorded');
}
