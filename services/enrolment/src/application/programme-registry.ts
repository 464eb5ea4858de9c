import { Inject, Injectable } from '@nestjs/common';
import { HOUSEHOLD_CATEGORY, type EnrolmentEvent } from '@peil/contracts';
import { categoryOf, type EventStore, type Position } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform';
import { evolveProgramme, initialProgramme, type Programme, type PseudonymisedEvent } from '../domain/programme';
import { EssnPseudonyms } from './essn-pseudonyms';

/**
 * The programme view, caught up from the ledger before every decision that needs it. It is never
 * trusted stale: the append carries `lastPositionSeen` as a condition on the household category,
 * so a decision made on a view another process has since moved is refused and decided again.
 */
@Injectable()
export class ProgrammeRegistry {
  private programme: Programme = initialProgramme();
  private position: Position | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly pseudonyms: EssnPseudonyms,
  ) {}

  async current(): Promise<{ programme: Programme; lastPositionSeen: Position | null }> {
    for (;;) {
      const page = await this.store.readAll(this.position, 5000);
      for (const event of page) {
        // Two requests may catch up at once (each awaits its read); apply every position once.
        if (this.position !== null && event.position <= this.position) continue;
        if (categoryOf(event.streamId) === HOUSEHOLD_CATEGORY) {
          this.programme = evolveProgramme(this.programme, this.pseudonymised({ type: event.type, data: event.data } as unknown as EnrolmentEvent));
        }
        this.position = event.position;
      }
      if (page.length < 5000) break;
    }
    return { programme: this.programme, lastPositionSeen: this.position };
  }

  private pseudonymised(event: EnrolmentEvent): PseudonymisedEvent {
    if (event.type !== 'HouseholdEnrolled' || event.data.essnPseudonym !== undefined) return event as PseudonymisedEvent;
    return { type: event.type, data: { ...event.data, essnPseudonym: this.pseudonyms.ofRecorded(event.data) } };
  }

  /**
   * Forgets the view; the next call rebuilds it from the ledger. For a unit of work (group commit)
   * that rolled back: this view may hold its events, and their positions will be reused.
   */
  reset(): void {
    this.programme = initialProgramme();
    this.position = null;
  }
}
