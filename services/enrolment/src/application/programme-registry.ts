import { Inject, Injectable } from '@nestjs/common';
import { HOUSEHOLD_CATEGORY, type EnrolmentEvent } from '@peil/contracts';
import { categoryOf, type EventStore, type Position } from '@peil/ledger';
import { EVENT_STORE, LedgerView } from '@peil/platform';
import { evolveProgramme, initialProgramme, type Programme, type PseudonymisedEvent } from '../domain/programme';
import { EssnPseudonyms } from './essn-pseudonyms';

/**
 * The programme view, caught up from the ledger before every decision that needs it. It is never
 * trusted stale: the append carries `lastPositionSeen` as a condition on the household category,
 * so a decision made on a view another process has since moved is refused and decided again.
 */
@Injectable()
export class ProgrammeRegistry {
  private readonly view: LedgerView<Programme>;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly pseudonyms: EssnPseudonyms,
  ) {
    this.view = new LedgerView(store, {
      initialState: initialProgramme,
      evolve: (programme, event) =>
        categoryOf(event.streamId) === HOUSEHOLD_CATEGORY
          ? evolveProgramme(programme, this.pseudonymised({ type: event.type, data: event.data } as unknown as EnrolmentEvent))
          : programme,
    });
  }

  async current(): Promise<{ programme: Programme; lastPositionSeen: Position | null }> {
    const { state, lastPositionSeen } = await this.view.current();
    return { programme: state, lastPositionSeen };
  }

  /** Events recorded before ESSN ids were pseudonymised carry the id in clear: their pseudonym is computed here. */
  private pseudonymised(event: EnrolmentEvent): PseudonymisedEvent {
    if (event.type !== 'HouseholdEnrolled' || event.data.essnPseudonym !== undefined) return event as PseudonymisedEvent;
    return { type: event.type, data: { ...event.data, essnPseudonym: this.pseudonyms.ofRecorded(event.data) } };
  }

  /**
   * Forgets the view; the next call rebuilds it from the ledger. For a unit of work (group commit)
   * that rolled back: this view may hold its events, and their positions will be reused.
   */
  reset(): void {
    this.view.reset();
  }
}
