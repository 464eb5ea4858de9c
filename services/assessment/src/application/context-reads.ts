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
  type LivelihoodPlanApproved,
  type MarketAssessmentCompleted,
  type SkillsProfileRecorded,
} from '@peil/contracts';
import type { EventStore, ExpectedRevision } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform/nest';
import { DeciderRuntime, PublishedReader } from '@peil/platform/streams';
import type { AssessmentPolicy } from '../domain/assessment-policy';
import {
  livelihoodDecider,
  livelihoodOf,
  planHold,
  type Livelihood,
  type LivelihoodInputs,
  type LivelihoodStream,
  type PlanHold,
} from '../domain/livelihood.decider';
import { marketDecider, type Market, type MarketStream } from '../domain/market.decider';
import { ASSESSMENT_POLICY } from './assessment-config';

type LivelihoodData = SkillsProfileRecorded | LivelihoodPlanApproved;

/**
 * The assessment context's two kinds of stream, run by the decider runtime — a household's
 * livelihood stream and a district's market stream — and the other contexts' published views its
 * decisions read: the household's status (enrolment) and the asset catalogue (asset-transfer).
 * Everything is read from the ledger (never from a read model that may be behind), each stream
 * kept folded and caught up before every read.
 */
@Injectable()
export class AssessmentReads {
  readonly livelihoods: DeciderRuntime<LivelihoodStream, LivelihoodData, AssessmentEvent, LivelihoodInputs, PlanHold>;
  readonly markets: DeciderRuntime<MarketStream, MarketAssessmentCompleted, AssessmentEvent>;
  private readonly households: PublishedReader<HouseholdStatus, EnrolmentEvent>;
  private readonly catalogueStream: PublishedReader<Catalogue, AssetTransferEvent>;

  constructor(@Inject(EVENT_STORE) store: EventStore, @Inject(ASSESSMENT_POLICY) policy: AssessmentPolicy) {
    this.households = new PublishedReader(store, householdStatusView);
    this.catalogueStream = new PublishedReader(store, catalogueView, { maxStreams: 1 });
    this.markets = new DeciderRuntime(store, {
      streamId: (assessment) => marketStreamId(assessment.district),
      decider: marketDecider,
      events: ASSESSMENT_EVENT_SCHEMAS,
    });
    this.livelihoods = new DeciderRuntime(store, {
      streamId: (data: LivelihoodData) => livelihoodStreamId(data.householdId),
      decider: livelihoodDecider(policy),
      events: ASSESSMENT_EVENT_SCHEMAS,
      inputs: (data, command) => this.inputs(data.householdId, command.type),
      holdFor: planHold,
    });
  }

  /** A plan reads its district's market and the catalogue besides the household's status; a skills profile only the status. */
  private async inputs(householdId: string, type: string): Promise<LivelihoodInputs> {
    const household = await this.household(householdId);
    if (type !== 'LivelihoodPlanApproved') return { household };
    const catalogue = await this.catalogue();
    const market = household.status !== 'unknown' ? (await this.market(household.district)).market : undefined;
    return { household, catalogue, market };
  }

  household(householdId: string): Promise<HouseholdStatus> {
    return this.households.read(householdId);
  }

  /**
   * The household's livelihood, its plan priced at the catalogue ceilings in force when the plan was
   * approved: that is what was committed, and what each delivery later consumes.
   */
  async livelihood(householdId: string): Promise<{ livelihood: Livelihood; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.livelihoods.aggregate(livelihoodStreamId(householdId));
    // Read after the livelihood stream: the catalogue then holds every approval up to the plan's position.
    const catalogue = await this.catalogueStream.read();
    return { livelihood: livelihoodOf(state, catalogue), expectedRevision };
  }

  async market(district: string): Promise<{ market: Market; ids: ReadonlySet<string>; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.markets.aggregate(marketStreamId(district));
    return { market: state.market, ids: state.ids, expectedRevision };
  }

  /** itemCode → unit cost ceiling (US cents); a later approval of the same code replaces the earlier one. */
  async catalogue(asOfPosition?: number): Promise<Map<string, number>> {
    return catalogueCeilings(await this.catalogueStream.read(), asOfPosition);
  }
}
