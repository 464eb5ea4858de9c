import { z } from 'zod';
import { moneyFields, refineMoney } from '../common/money';
import { Id, NonEmptyText } from '../common/primitives';

/** Asset-transfer context events: the catalogue, deliveries, receipts, verifications. */

export const AssetCategory = z.enum(['agriculture', 'cooking', 'sewing-embroidery', 'painting', 'other-tools']);

export const AssetCatalogueItemApproved = z.object({
  itemCode: Id,
  name: NonEmptyText(200),
  category: AssetCategory,
  /** US cents: the most the programme pays for one unit. */
  unitCostCeilingMinor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});
export type AssetCatalogueItemApproved = z.infer<typeof AssetCatalogueItemApproved>;

export const AssetDelivered = z
  .object({
    deliveryId: Id,
    householdId: Id,
    itemCode: Id,
    quantity: z.number().int().min(1).max(1000),
    serialNumbers: z.array(NonEmptyText(100)).max(1000).optional(),
    ...moneyFields('unitCostMinor'),
    supplier: NonEmptyText(200),
    invoiceRef: NonEmptyText(200),
  })
  .superRefine(refineMoney('unitCostMinor'))
  .superRefine((d, ctx) => {
    if (d.serialNumbers && d.serialNumbers.length > d.quantity) {
      ctx.addIssue({ code: 'custom', path: ['serialNumbers'], message: 'more serial numbers than items delivered' });
    }
  });
export type AssetDelivered = z.infer<typeof AssetDelivered>;

export const AssetReceiptAcknowledged = z.object({
  deliveryId: Id,
  method: z.enum(['signature', 'otp', 'thumbprint']),
});
export type AssetReceiptAcknowledged = z.infer<typeof AssetReceiptAcknowledged>;

export const AssetVerified = z.object({
  deliveryId: Id,
  status: z.enum(['in-use', 'not-in-use', 'sold', 'damaged', 'lost']),
});
export type AssetVerified = z.infer<typeof AssetVerified>;

export const ASSET_TRANSFER_EVENT_SCHEMAS = { AssetCatalogueItemApproved, AssetDelivered, AssetReceiptAcknowledged, AssetVerified } as const;

export type AssetTransferEvent =
  | { type: 'AssetCatalogueItemApproved'; data: AssetCatalogueItemApproved }
  | { type: 'AssetDelivered'; data: AssetDelivered }
  | { type: 'AssetReceiptAcknowledged'; data: AssetReceiptAcknowledged }
  | { type: 'AssetVerified'; data: AssetVerified };

/** The whole catalogue is one small stream: every plan decision reads it. */
export const CATALOGUE_STREAM_ID = 'assetcatalogue-peil';
/** One stream per household for its deliveries, receipts and verifications. */
export const assetsStreamId = (householdId: string): string => `assets-${householdId}`;
export const ASSETS_CATEGORY = 'assets';
/** The expenditure a delivery becomes on the assets line. */
export const deliveryExpenditureId = (deliveryId: string): string => `delivery-${deliveryId}`;
