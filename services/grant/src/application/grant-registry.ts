import { Inject, Injectable } from '@nestjs/common';
import { GRANT_CATEGORY, upcast, type GrantEvent } from '@peil/contracts';
import { categoryOf, type EventStore, type Position } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform';
import { evolveDirectory, initialDirectory, type GrantDirectory } from '../domain/grant-directory';

const PAGE = 5000;

/**
 * The directory of grants (line → grant, commitment → grant, expenditure → grant), caught up from the
 * ledger before every decision that needs it. It routes a submission to its grant's stream; the
 * money itself is then read fresh from that stream. Decisions that create a programme-wide id (a
 * line code, a commitment id, an expenditure id) append with `lastPositionSeen` as a condition on
 * the grant category, so a directory another writer has since moved is refused and decided again.
 */
@Injectable()
export class GrantRegistry {
  private readonly directory: GrantDirectory = initialDirectory();
  private position: Position | null = null;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async current(): Promise<{ directory: GrantDirectory; lastPositionSeen: Position | null }> {
    for (;;) {
      const page = await this.store.readAll(this.position, PAGE);
      for (const event of page) {
        // A concurrent caller may have applied part of this page while it was read.
        if (this.position !== null && event.position <= this.position) continue;
        if (categoryOf(event.streamId) === GRANT_CATEGORY) {
          const current = upcast(event);
          evolveDirectory(this.directory, { type: current.type, data: current.data } as unknown as GrantEvent);
        }
        this.position = event.position;
      }
      if (page.length < PAGE) break;
    }
    return { directory: this.directory, lastPositionSeen: this.position };
  }
}
