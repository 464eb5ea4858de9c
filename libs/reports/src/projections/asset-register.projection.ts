import { toUsdMinor } from '@peil/contracts';
import type { StoredEvent } from '@peil/ledger';
import type { Projection, ReadTx } from '@peil/projections';
import { update } from './docs';
import { reportedTypes } from './upcasting';

export const AR = { deliveries: 'ar_deliveries', catalogue: 'ar_catalogue', byEvent: 'ar_delivery_events', households: 'ar_households', byExpenditure: 'ar_expenditure_deliveries' } as const;

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

const EVENTS = reportedTypes('HouseholdEnrolled', 'AssetCatalogueItemApproved', 'AssetDelivered', 'AssetReceiptAcknowledged', 'AssetVerified', 'ExpenditureRecorded', 'ExpenditureReversed');

/** One row per delivery, joined with its catalogue category, receipt, latest verification and expenditure. */
export function assetRegisterProjection(householdRef: (householdId: string) => string): Projection {
  return {
    name: 'asset-register',
    version: 4,
    collections: Object.values(AR),
    handles: EVENTS.handles,
    async apply(e: StoredEvent, tx: ReadTx): Promise<void> {
      if (!EVENTS.is(e)) return;
      switch (e.type) {
        // Where the asset went: the household's governorate and district as enrolled (not personal data).
        case 'HouseholdEnrolled':
          await tx.put(AR.households, e.data.householdId, { governorate: e.data.governorate, district: e.data.district });
          return;
        case 'AssetCatalogueItemApproved':
          await tx.put(AR.catalogue, e.data.itemCode, { category: e.data.category, name: e.data.name });
          return;
        case 'AssetDelivered': {
          const item = await tx.get<{ category: string; name: string }>(AR.catalogue, e.data.itemCode);
          const place = await tx.get<{ governorate: string; district: string }>(AR.households, e.data.householdId);
          await tx.put(AR.byEvent, e.eventId, { deliveryId: e.data.deliveryId });
          await tx.put(AR.deliveries, e.data.deliveryId, {
            deliveryId: e.data.deliveryId, householdRef: householdRef(e.data.householdId), itemCode: e.data.itemCode, itemName: item?.name ?? null, category: item?.category ?? null,
            governorate: place?.governorate ?? null, district: place?.district ?? null,
            quantity: e.data.quantity, serialNumbers: e.data.serialNumbers ?? [], unitCostMinor: e.data.unitCostMinor, currency: e.data.currency, fxRateToUsd: e.data.fxRateToUsd ?? null,
            unitCostUsdMinor: toUsdMinor(e.data.unitCostMinor, e.data.currency, e.data.fxRateToUsd), totalUsdMinor: toUsdMinor(e.data.unitCostMinor * e.data.quantity, e.data.currency, e.data.fxRateToUsd),
            supplier: e.data.supplier, invoiceRef: e.data.invoiceRef, deliveredAt: e.occurredAt, acknowledged: false, latestVerification: null, expenditureId: null, position: e.position,
          } satisfies ArDelivery);
          return;
        }
        case 'AssetReceiptAcknowledged':
          if (await tx.get(AR.deliveries, e.data.deliveryId)) await update<ArDelivery>(tx, AR.deliveries, e.data.deliveryId, absent, (x) => void (x.acknowledged = true));
          return;
        case 'AssetVerified':
          if (await tx.get(AR.deliveries, e.data.deliveryId)) await update<ArDelivery>(tx, AR.deliveries, e.data.deliveryId, absent, (x) => void (x.latestVerification = e.data.status));
          return;
        case 'ExpenditureRecorded': {
          const link = e.data.relatedEventId ? await tx.get<{ deliveryId: string }>(AR.byEvent, e.data.relatedEventId) : undefined;
          if (!link) return;
          await update<ArDelivery>(tx, AR.deliveries, link.deliveryId, absent, (x) => void (x.expenditureId = e.data.expenditureId));
          await tx.put(AR.byExpenditure, e.data.expenditureId, { deliveryId: link.deliveryId });
          return;
        }
        case 'ExpenditureReversed': {
          // A reversed expenditure no longer pays for the delivery; the register shows it unpaid. Found
          // through the expenditure's link, not by reading every delivery: a rebuild of a million events
          // would otherwise read the whole register once per reversal. A later expenditure on the same
          // delivery has replaced the link the reversed one made, so that delivery stays paid.
          const link = await tx.get<{ deliveryId: string }>(AR.byExpenditure, e.data.expenditureId);
          const paid = link && (await tx.get<ArDelivery>(AR.deliveries, link.deliveryId));
          if (paid && paid.expenditureId === e.data.expenditureId) await tx.put(AR.deliveries, link.deliveryId, { ...paid, expenditureId: null });
          return;
        }
      }
    },
  };
}

function absent(): never {
  throw new Error('asset-register projection: event refers to a delivery the ledger never recorded');
}
