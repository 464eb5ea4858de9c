import { CATALOGUE_STREAM_ID, livelihoodStreamId, type AssetCatalogueItemApproved } from '@peil/contracts';
import type { EventStore, ExpectedRevision, Position, StoredEvent } from '@peil/ledger';
import { StreamStateCache, type StreamFold } from '@peil/platform';
import { evolveLivelihood, initialLivelihood, type Livelihood, type StoredAssessmentEvent } from '../domain/livelihood.decider';

/** An approved catalogue item with the position of its approval. */
export interface CatalogueApproval {
  position: Position;
  approvedAt: string;
  item: AssetCatalogueItemApproved;
}

/** Every approval in position order (for "the ceilings in force at position p"), and the latest per item. */
interface Catalogue {
  approvals: CatalogueApproval[];
  latest: Map<string, CatalogueApproval>;
}

const catalogueFold: StreamFold<Catalogue> = {
  initialState: () => ({ approvals: [], latest: new Map() }),
  evolve: (catalogue, e) => {
    if (e.type !== 'AssetCatalogueItemApproved') return catalogue;
    const approval = { position: e.position, approvedAt: e.occurredAt, item: e.data as unknown as AssetCatalogueItemApproved };
    catalogue.approvals.push(approval);
    catalogue.latest.set(approval.item.itemCode, approval);
    return catalogue;
  },
};

/**
 * The asset catalogue stream, kept folded and caught up before each read. Maps handed out are the
 * caller's own (a later catch-up does not change them).
 */
export class CatalogueReader {
  private readonly cache: StreamStateCache<Catalogue>;

  constructor(store: EventStore) {
    this.cache = new StreamStateCache(store, catalogueFold, { maxStreams: 1 });
  }

  /** The latest approval of each item, and the revision the next catalogue append expects. */
  async current(): Promise<{ items: Map<string, CatalogueApproval>; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.cache.aggregateStream(CATALOGUE_STREAM_ID);
    return { items: new Map(state.latest), expectedRevision };
  }

  /** itemCode → unit cost ceiling (US cents), as of a position when given; a later approval of a code replaces the earlier one. */
  async ceilings(asOf?: Position): Promise<Map<string, number>> {
    const { state } = await this.cache.aggregateStream(CATALOGUE_STREAM_ID);
    const ceilings = new Map<string, number>();
    if (asOf === undefined) {
      for (const [code, approval] of state.latest) ceilings.set(code, approval.item.unitCostCeilingMinor);
      return ceilings;
    }
    for (const approval of state.approvals) {
      if (approval.position > asOf) break;
      ceilings.set(approval.item.itemCode, approval.item.unitCostCeilingMinor);
    }
    return ceilings;
  }
}

/** A livelihood stream folded, with its plan's ceilings resolved once against the catalogue as of the plan's approval. */
interface FoldedLivelihood {
  livelihood: Livelihood;
  approval?: { event: StoredAssessmentEvent; position: Position; resolved: boolean };
}

const asAssessmentEvent = (e: StoredEvent): StoredAssessmentEvent =>
  ({ type: e.type, data: e.data, occurredAt: e.occurredAt, eventId: e.eventId }) as unknown as StoredAssessmentEvent;

const livelihoodFold: StreamFold<FoldedLivelihood> = {
  initialState: () => ({ livelihood: initialLivelihood() }),
  evolve: (folded, e) => {
    const event = asAssessmentEvent(e);
    folded.livelihood = evolveLivelihood(folded.livelihood, event);
    if (event.type === 'LivelihoodPlanApproved') folded.approval = { event, position: e.position, resolved: false };
    return folded;
  },
};

/**
 * A household's livelihood (skills profile and plan), kept folded and caught up before each read.
 * The plan's kit is priced at the catalogue ceilings in force when the plan was approved: that is
 * what was committed, and what each delivery later consumes, even if a ceiling changes afterwards.
 * The fold cannot await the catalogue, so the plan is priced on its first read and kept priced.
 */
export class LivelihoodReader {
  private readonly cache: StreamStateCache<FoldedLivelihood>;

  constructor(
    store: EventStore,
    private readonly catalogue: CatalogueReader,
  ) {
    this.cache = new StreamStateCache(store, livelihoodFold);
  }

  async read(householdId: string): Promise<{ livelihood: Livelihood; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.cache.aggregateStream(livelihoodStreamId(householdId));
    const approval = state.approval;
    if (approval && !approval.resolved) {
      // Read after the livelihood stream: the catalogue then holds every approval up to the plan's position.
      const ceilings = await this.catalogue.ceilings(approval.position);
      if (state.approval === approval && !approval.resolved) {
        state.livelihood = { ...state.livelihood, plan: evolveLivelihood(initialLivelihood(), approval.event, ceilings).plan };
        approval.resolved = true;
      }
    }
    return { livelihood: state.livelihood, expectedRevision };
  }
}
