import { Inject, Injectable } from '@nestjs/common';
import { GRANT_CATEGORY, GRANT_EVENT_SCHEMAS, type GrantEvent } from '@peil/contracts';
import type { EventStore, Position } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform/nest';
import { LedgerView, typedFold } from '@peil/platform/streams';
import { evolveDirectory, initialDirectory, type GrantDirectory } from '../domain/grant-directory';

/**
 * The directory of grants (line → grant, commitment → grant, expenditure → grant), caught up from the
 * ledger before every decision that needs it. It routes a submission to its grant's stream; the
 * money itself is then read fresh from that stream. Decisions that create a programme-wide id (a
 * line code, a commitment id, an expenditure id) append with `lastPositionSeen` as a condition on
 * the grant category, so a directory another writer has since moved is refused and decided again.
 */

@Injectable()
export class GrantRegistry {
  private readonly view: LedgerView<GrantDirectory>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    // Upcast by typedFold: a grant event of an older schema version is indexed in today's shape.
    const grants = typedFold<GrantDirectory, GrantEvent>(GRANT_EVENT_SCHEMAS, initialDirectory, evolveDirectory);
    this.view = new LedgerView(store, grants, { category: GRANT_CATEGORY });
  }

  async current(): Promise<{ directory: GrantDirectory; lastPositionSeen: Position | null }> {
    const { state, lastPositionSeen } = await this.view.current();
    return { directory: state, lastPositionSeen };
  }
}
