import { Inject, Injectable } from '@nestjs/common';
import {
  ASSESSMENT_EVENT_SCHEMAS,
  catalogueCeilings,
  catalogueView,
  householdStatusView,
  livelihoodStreamId,
  marketStreamId,
  type AssessmentEvent,
  type AssetTransferEvent,
  type Catalogue,
  type EnrolmentEvent,
  type HouseholdStatus,
} from '@peil/contracts';
import type { EventStore, ExpectedRevision } from '@peil/ledger';
import { EVENT_STORE, PublishedReader, StreamStateCache, typedFold } from '@peil/platform';
import { evolveLivelihood, evolveMarket, initialLivelihood, livelihoodOf, type Livelihood, type LivelihoodStream, type Market } from '../domain/livelihood.decider';

/** A district's market stream: its newest assessment and every assessment id recorded. */
interface MarketStream {
  market: Market;
  ids: Set<string>;
}

/**
 * Everything a plan decision reads, from the ledger (never from a read model that may be behind):
 * the household's status (enrolment's published view), its livelihood stream, its district's market
 * assessments and the asset catalogue (asset-transfer's published view). Each stream is kept folded
 * and caught up before every read.
 */
@Injectable()
export class AssessmentReads {
  private readonly households: PublishedReader<HouseholdStatus, EnrolmentEvent>;
  private readonly catalogueStream: PublishedReader<Catalogue, AssetTransferEvent>;
  private readonly livelihoods: StreamStateCache<LivelihoodStream>;
  private readonly markets: StreamStateCache<MarketStream>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.households = new PublishedReader(store, householdStatusView);
    this.catalogueStream = new PublishedReader(store, catalogueView, { maxStreams: 1 });
    this.livelihoods = new StreamStateCache(store, typedFold<LivelihoodStream, AssessmentEvent>(ASSESSMENT_EVENT_SCHEMAS, initialLivelihood, evolveLivelihood));
    this.markets = new StreamStateCache(
      store,
      typedFold<MarketStream, AssessmentEvent>(ASSESSMENT_EVENT_SCHEMAS, () => ({ market: undefined, ids: new Set() }), (folded, event) => {
        folded.market = evolveMarket(folded.market, event);
        if (event.type === 'MarketAssessmentCompleted') folded.ids.add(event.data.assessmentId);
        return folded;
      }),
    );
  }

  household(householdId: string): Promise<HouseholdStatus> {
    return this.households.read(householdId);
  }

  /**
   * The household's livelihood, its plan priced at the catalogue ceilings in force when the plan was
   * approved: that is what was committed, and what each delivery later consumes.
   */
  async livelihood(householdId: string): Promise<{ livelihood: Livelihood; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.livelihoods.aggregateStream(livelihoodStreamId(householdId));
    // Read after the livelihood stream: the catalogue then holds every approval up to the plan's position.
    const catalogue = await this.catalogueStream.read();
    return { livelihood: livelihoodOf(state, catalogue), expectedRevision };
  }

  async market(district: string): Promise<{ market: Market; ids: ReadonlySet<string>; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.markets.aggregateStream(marketStreamId(district));
    return { market: state.market, ids: state.ids, expectedRevision };
  }

  /** itemCode → unit cost ceiling (US cents); a later approval of the same code replaces the earlier one. */
  async catalogue(asOfPosition?: number): Promise<Map<string, number>> {
    return catalogueCeilings(await this.catalogueStream.read(), asOfPosition);
  }
}
