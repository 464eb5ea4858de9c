import { Inject, Injectable } from '@nestjs/common';
import { purposeOfModule, sessionExpenditureId, type TrainingSessionHeld } from '@peil/contracts';
import { derivedEventId } from '@peil/platform/ids';
import { GRANT_CLIENT, type GrantClient } from '@peil/platform/clients';
import type { SessionContext } from '../domain/training.decider';


/**
 * A session with a cost becomes exactly one ExpenditureRecorded on the line whose purpose is
 * `training` (`coaching` for coaching-group), linked by relatedEventId, with an eventId derived from
 * the session's so that retries and recovery record it once.
 */
@Injectable()
export class SessionExpenditures {
  constructor(@Inject(GRANT_CLIENT) private readonly grant: GrantClient) {}

  /** The budget line a session's cost would go to, read before the session is decided; not asked for a session without a cost. */
  async budgetLine(s: TrainingSessionHeld): Promise<SessionContext['budgetLine']> {
    if (s.costMinor === undefined || !s.currency) return undefined;
    const line = await this.grant.lineFor(purposeOfModule(s.module));
    return line && { code: line.code, remainingMinor: line.remainingMinor };
  }

  async record(sessionEventId: string, s: TrainingSessionHeld, occurredAt: string): Promise<void> {
    if (s.costMinor === undefined || !s.currency) return;
    const line = await this.grant.lineFor(purposeOfModule(s.module));
    if (!line) throw new Error(`no budget line with purpose ${purposeOfModule(s.module)}`);
    const result = await this.grant.submit({
      eventId: derivedEventId(sessionEventId, 'expenditure'),
      type: 'ExpenditureRecorded',
      occurredAt,
      data: {
        expenditureId: sessionExpenditureId(s.sessionId),
        budgetLine: line.code,
        amountMinor: s.costMinor,
        currency: s.currency,
        ...(s.fxRateToUsd === undefined ? {} : { fxRateToUsd: s.fxRateToUsd }),
        payee: `training session ${s.sessionId} (${s.district})`,
        documentRef: `session/${s.sessionId}`,
        relatedEventId: sessionEventId,
      },
    });
    if (result.status === 'rejected') throw new Error(`expenditure for session ${s.sessionId} refused: ${result.error?.code}`);
  }
}
