import { Inject, Injectable } from '@nestjs/common';
import { toUsdMinor } from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform';
import { ReconciliationFold, type ReconciliationReport } from './reconciliation';

const PAGE = 5000;

/**
 * GET /v1/grant/reconciliation (docs/decisions/0009): deliveries without their expenditure (a flow in
 * progress, or one the asset-transfer recovery has yet to complete), expenditures on an assets line
 * without a delivery, with totals. Folded from the ledger, caught up before every answer.
 */
@Injectable()
export class ReconciliationQuery {
  private readonly fold = new ReconciliationFold(toUsdMinor);

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async report(): Promise<ReconciliationReport> {
    for (;;) {
      const page = await this.store.readAll(this.fold.ledgerPosition, PAGE);
      for (const event of page) {
        // A concurrent request may have folded part of this page while it was read.
        const seen = this.fold.ledgerPosition;
        if (seen === null || event.position > seen) this.fold.apply(event);
      }
      if (page.length < PAGE) break;
    }
    return this.fold.report();
  }
}
