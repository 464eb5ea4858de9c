import type { PublishedView } from '../common/view';
import { CATALOGUE_STREAM_ID, type AssetCatalogueItemApproved, type AssetTransferEvent } from './asset-transfer.events';

/** An approved catalogue item with the position of its approval. */
export interface CatalogueApproval {
  position: number;
  approvedAt: string;
  item: AssetCatalogueItemApproved;
}

/** Every approval in position order (for "the ceilings in force at position p"), and the latest per item. */
export interface Catalogue {
  approvals: CatalogueApproval[];
  latest: Map<string, CatalogueApproval>;
}

/**
 * The asset catalogue folded from its stream (CATALOGUE_STREAM_ID), written by asset-transfer and
 * read by assessment (plans are priced at its ceilings). A later approval of a code replaces the
 * earlier one for what comes after it.
 */
export const catalogueView: PublishedView<Catalogue, AssetTransferEvent> = {
  types: ['AssetCatalogueItemApproved'],
  streamId: () => CATALOGUE_STREAM_ID,
  initialState: () => ({ approvals: [], latest: new Map() }),
  evolve: (catalogue, event) => {
    if (event.type !== 'AssetCatalogueItemApproved') return catalogue;
    const approval = { position: event.position, approvedAt: event.occurredAt, item: event.data };
    catalogue.approvals.push(approval);
    catalogue.latest.set(approval.item.itemCode, approval);
    return catalogue;
  },
};

/** itemCode → unit cost ceiling (US cents), as of a position when given (a new map, the caller's own). */
export function catalogueCeilings(catalogue: Catalogue, asOf?: number): Map<string, number> {
  const ceilings = new Map<string, number>();
  if (asOf === undefined) {
    for (const [code, approval] of catalogue.latest) ceilings.set(code, approval.item.unitCostCeilingMinor);
    return ceilings;
  }
  for (const approval of catalogue.approvals) {
    if (approval.position > asOf) break;
    ceilings.set(approval.item.itemCode, approval.item.unitCostCeilingMinor);
  }
  return ceilings;
}
