import { Inject, Injectable } from '@nestjs/common';
import { marketStreamId } from '@peil/contracts';
import type { EventStore, ExpectedRevision, StoredEvent } from '@peil/ledger';
import { EVENT_STORE, StreamStateCache } from '@peil/platform';
import { HouseholdStatusReader, type HouseholdStatus } from '../../../enrolment/src';
import { evolveMarket, type Livelihood, type Market, type StoredAssessmentEvent } from '../domain/livelihood.decider';
import { CatalogueReader, LivelihoodReader } from './livelihood.reader';

/** A district's market stream: its newest assessment and every assessment id recorded. */
interface MarketStream {
  market: Market;
  ids: Set<string>;
}

/**
 * Everything a plan decision reads, from the ledger (never from a read model that may be behind):
 * the household's enrolment stream, its livelihood stream, its district's market assessments and
 * the asset catalogue. Each stream is kept folded and caught up before every read.
 */
@Injectable()
export class AssessmentReads {
  private readonly households: HouseholdStatusReader;
  private readonly catalogueReader: CatalogueReader;
  private readonly livelihoods: LivelihoodReader;
  private readonly markets: StreamStateCache<MarketStream>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.households = new HouseholdStatusReader(store);
    this.catalogueReader = new CatalogueReader(store);
    this.livelihoods = new LivelihoodReader(store, this.catalogueReader);
    this.markets = new StreamStateCache<MarketStream>(store, {
      initialState: () => ({ market: undefined, ids: new Set() }),
      evolve: (folded, e) => {
        const event = asAssessmentEvent(e);
        folded.market = evolveMarket(folded.market, event);
        if (event.type === 'MarketAssessmentCompleted') folded.ids.add(event.data.assessmentId);
        return folded;
      },
    });
  }

  async household(householdId: string): Promise<HouseholdStatus> {
    return this.households.read(householdId);
  }

  livelihood(householdId: string): Promise<{ livelihood: Livelihood; expectedRevision: ExpectedRevision }> {
    return this.livelihoods.read(householdId);
  }

  async market(district: string): Promise<{ market: Market; ids: ReadonlySet<string>; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.markets.aggregateStream(marketStreamId(district));
    return { market: state.market, ids: state.ids, expectedRevision };
  }

  /** itemCode → unit cost ceiling (US cents); a later approval of the same code replaces the earlier one. */
  catalogue(asOfPosition?: number): Promise<Map<string, number>> {
    return this.catalogueReader.ceilings(asOfPosition);
  }
}

export function asAssessmentEvent(e: StoredEvent): StoredAssessmentEvent {
  return { type: e.type, data: e.data, occurredAt: e.occurredAt, eventId: e.eventId } as unknown as StoredAssessmentEvent;
}
