import { Inject, Injectable } from '@nestjs/common';
import { GRANT_CATEGORY, GRANT_EVENT_SCHEMAS, grantStreamId, type GrantEvent, type GrantEventType } from '@peil/contracts';
import type { EventStore, ExpectedRevision, Position } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform/nest';
import { DeciderRuntime } from '@peil/platform/streams';
import { grantContextOf, grantDecider, type Grant, type GrantCommand, type GrantContext } from '../domain/grant.decider';
import { GrantRegistry } from './grant-registry';

/** Submissions that create an id unique across grants: only these need the category-wide condition. */
const CREATES_PROGRAMME_WIDE_ID: ReadonlySet<GrantEventType> = new Set(['GrantAgreementSigned', 'FundsCommitted', 'ExpenditureRecorded']);

type GrantInputs = GrantContext & { lastPositionSeen: Position | null };

/**
 * The grant streams through the decider runtime: directory → route to the grant → fold the grant's
 * stream (kept folded, caught up by its new events; older schema versions upcast first) → decide →
 * append with the stream's expected revision. One stream per grant holds all its lines, so
 * optimistic concurrency on it alone keeps committed + spent ≤ allocation on every line (a
 * reallocation touches two lines atomically), on any event store. Uniqueness of line codes and ids
 * across grants adds a condition on the category. Queries read the same fold.
 */
@Injectable()
export class GrantStreams {
  readonly runtime: DeciderRuntime<Grant, GrantEvent['data'], GrantEvent, GrantInputs>;

  constructor(@Inject(EVENT_STORE) store: EventStore, registry: GrantRegistry) {
    this.runtime = new DeciderRuntime<Grant, GrantEvent['data'], GrantEvent, GrantInputs>(store, {
      streamId: (_data, { grantId }) => (grantId === undefined ? undefined : grantStreamId(grantId)),
      decider: grantDecider,
      events: GRANT_EVENT_SCHEMAS,
      inputs: async (_data, command) => {
        // Directory first: its lastPositionSeen must not be newer than the grant we decide on.
        const { directory, lastPositionSeen } = await registry.current();
        // The processor validated the data with the schema of its type: the pair is a grant command.
        return { ...grantContextOf(directory, command as GrantCommand), lastPositionSeen };
      },
      condition: (command, { lastPositionSeen }) =>
        CREATES_PROGRAMME_WIDE_ID.has(command.type as GrantEventType) ? { category: GRANT_CATEGORY, lastPositionSeen } : undefined,
    });
  }

  /** A grant folded up to its newest event, and the revision its next append expects. */
  async load(grantId: string): Promise<{ grant: Grant; expectedRevision: ExpectedRevision }> {
    const { state, expectedRevision } = await this.runtime.aggregate(grantStreamId(grantId));
    return { grant: state, expectedRevision };
  }
}
