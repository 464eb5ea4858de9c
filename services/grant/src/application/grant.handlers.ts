import { Inject, Injectable } from '@nestjs/common';
import {
  BudgetReallocated,
  CommitmentReleased,
  ExpenditureRecordedShape,
  ExpenditureReversed,
  CashForecastRecorded,
  FundsCommitted,
  FundsReceivedShape,
  GRANT_SCHEMA_VERSION,
  GrantAgreementSigned,
  WorkPlanBudgetApproved,
} from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import { CLOCK, type Clock } from '@peil/platform/clock';
import { DIGEST_KEY, EVENT_STORE } from '@peil/platform/nest';
import { SubmissionProcessor } from '@peil/platform/submissions';
import { GrantStreams } from './grant.streams';

/** The grant context's submissions, each decided on its grant's stream by the decider runtime (see GrantStreams). */
@Injectable()
export class GrantSubmissions {
  readonly processor: SubmissionProcessor;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CLOCK) clock: Clock,
    @Inject(DIGEST_KEY) digestKey: Buffer,
    grants: GrantStreams,
  ) {
    const handler = grants.runtime.handler.bind(grants.runtime);
    this.processor = new SubmissionProcessor(store, {
      GrantAgreementSigned: handler(GrantAgreementSigned),
      BudgetReallocated: handler(BudgetReallocated),
      FundsCommitted: handler(FundsCommitted),
      CommitmentReleased: handler(CommitmentReleased),
      // Structure only: the money rules (fx_rate_required…) are decided, so they answer with their own codes.
      ExpenditureRecorded: handler(ExpenditureRecordedShape),
      ExpenditureReversed: handler(ExpenditureReversed),
      FundsReceived: handler(FundsReceivedShape),
      WorkPlanBudgetApproved: handler(WorkPlanBudgetApproved),
      CashForecastRecorded: handler(CashForecastRecorded),
      // Version 2: agreements are recorded with their disbursement categories (see grant.upcasters.ts).
    }, digestKey, clock, {
      schemaVersion: GRANT_SCHEMA_VERSION,
      groupCommit: true,
    });
  }
}
