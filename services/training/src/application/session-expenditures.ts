import { Inject, Injectable } from '@nestjs/common';
import { purposeOfModule, sessionExpenditureId, toUsdMinor, type TrainingSessionHeld } from '@peil/contracts';
import { derivedEventId } from '@peil/platform';
import { GRANT_CLIENT, type GrantClient } from '@peil/platform';


/**
 * A session with a cost becomes exactly one ExpenditureRecorded on the line whose purpose is
 * `training` (`coaching` for coaching-group), linked by relatedEventId, with an eventId derived from
 * the session's so that retries and recovery record it once.
 */
@Injectable()
export class SessionExpenditures {
  constructor(@Inject(GRANT_CLIENT) private readonly grant: GrantClient) {}

  async shortfall(s: TrainingSessionHeld): Promise<string | undefined> {
    if (s.costMinor === undefined || !s.currency) return undefined;
    const purpose = purposeOfModule(s.module);
    const line = await this.grant.lineFor(purpose);
    if (!line) return `no signed grant has a budget line with purpose "${purpose}"`;
    const usd = toUsdMinor(s.costMinor, s.currency, s.fxRateToUsd);
    return usd > line.remainingMinor ? `the session costs ${usd} US cents and ${line.code} has ${line.remainingMinor} left` : undefined;
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
