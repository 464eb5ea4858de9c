import { Inject, Injectable } from '@nestjs/common';
import {
  CATALOGUE_STREAM_ID,
  livelihoodStreamId,
  marketStreamId,
  type AssetCatalogueItemApproved,
} from '@peil/contracts';
import type { EventStore, ExpectedRevision, StoredEvent } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform';
import { readHouseholdStatus, type HouseholdStatus } from '../../../enrolment/src';
import {
  evolveLivelihood,
  evolveMarket,
  initialLivelihood,
  type Livelihood,
  type Market,
  type StoredAssessmentEvent,
} from '../domain/livelihood.decider';

/**
 * Everything a plan decision reads, straight from the ledger (never from a read model that may be
 * behind): the household's enrolment stream, its livelihood stream, its district's market
 * assessments and the asset catalogue.
 */
@Injectable()
export class AssessmentReads {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async household(householdId: string): Promise<HouseholdStatus> {
    return readHouseholdStatus(this.store, householdId);
  }

  /**
   * The plan's kit is priced at the catalogue ceilings in force when the plan was approved: that is
   * what was committed, and what each delivery later consumes, even if a ceiling changes afterwards.
   */
  async livelihood(householdId: string): Promise<{ livelihood: Livelihood; expectedRevision: ExpectedRevision }> {
    const events = await this.store.readStream(livelihoodStreamId(householdId));
    let livelihood = initialLivelihood();
    for (const e of events) {
      const event = asAssessmentEvent(e);
      const ceilings = event.type === 'LivelihoodPlanApproved' ? await this.catalogue(e.position) : new Map<string, number>();
      livelihood = evolveLivelihood(livelihood, event, ceilings);
    }
    const last = events[events.length - 1];
    return { livelihood, expectedRevision: last ? last.revision : 'no_stream' };
  }

  async market(district: string): Promise<{ market: Market; ids: Set<string>; expectedRevision: ExpectedRevision }> {
    const events = await this.store.readStream(marketStreamId(district));
    let market: Market;
    const ids = new Set<string>();
    for (const e of events) {
      const event = asAssessmentEvent(e);
      market = evolveMarket(market, event);
      if (event.type === 'MarketAssessmentCompleted') ids.add(event.data.assessmentId);
    }
    const last = events[events.length - 1];
    return { market, ids, expectedRevision: last ? last.revision : 'no_stream' };
  }

  /** itemCode → unit cost ceiling (US cents); a later approval of the same code replaces the earlier one. */
  async catalogue(asOfPosition?: number): Promise<Map<string, number>> {
    const events = await this.store.readStream(CATALOGUE_STREAM_ID);
    const items = new Map<string, number>();
    for (const e of events) {
      if (asOfPosition !== undefined && e.position > asOfPosition) break;
      if (e.type === 'AssetCatalogueItemApproved') {
        const item = e.data as unknown as AssetCatalogueItemApproved;
        items.set(item.itemCode, item.unitCostCeilingMinor);
      }
    }
    return items;
  }
}

export function asAssessmentEvent(e: StoredEvent): StoredAssessmentEvent {
  return { type: e.type, data: e.data, occurredAt: e.occurredAt, eventId: e.eventId } as unknown as StoredAssessmentEvent;
}
