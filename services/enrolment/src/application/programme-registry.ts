import { Inject, Injectable } from '@nestjs/common';
import { ENROLMENT_EVENT_SCHEMAS, HOUSEHOLD_CATEGORY, type EnrolmentEvent } from '@peil/contracts';
import type { EventStore, Position } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform/nest';
import { LedgerView, typedFold } from '@peil/platform/streams';
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
    const households = typedFold<Programme, EnrolmentEvent>(ENROLMENT_EVENT_SCHEMAS, initialProgramme, (programme, event) => evolveProgramme(programme, this.pseudonymised(event)));
    // The household category only: its lastPositionSeen is what the enrolment condition compares with.
    this.view = new LedgerView(store, households, { category: HOUSEHOLD_CATEGORY });
  }

  async current(): Promise<{ programme: Programme; lastPositionSeen: Position | null }> {
    const { state, lastPositionSeen } = await this.view.current();
    return { programme: state, lastPositionSeen };
  }

  /** Events recorded before ESSN ids were pseudonymised carry the id in clear: their pseudonym is computed here. */
  private pseudonymised(event: EnrolmentEvent): PseudonymisedEvent {
    if (event.type !== 'HouseholdEnrolled') return event;
    const { essnPseudonym } = event.data;
    return { type: event.type, data: { ...event.data, essnPseudonym: essnPseudonym ?? this.pseudonyms.ofRecorded(event.data) } };
  }

  /**
   * Forgets the view at once; the next call rebuilds it from the ledger. Correctness does not depend on
   * it: after a rolled-back unit of work the view notices by itself that the last event it folded is
   * gone (it re-reads it and compares hashes), whatever event later takes its position.
   */
  reset(): void {
    this.view.reset();
  }
}
