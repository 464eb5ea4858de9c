import { Inject, Injectable } from '@nestjs/common';
import { toUsdMinor } from '@peil/contracts';
import type { EventStore } from '@peil/ledger';
import { EVENT_STORE } from '@peil/platform/nest';
import { LedgerView } from '@peil/platform/streams';
import { ReconciliationFold, type ReconciliationReport } from './reconciliation';

/**
 * GET /v1/grant/reconciliation (docs/decisions/0009): deliveries without their expenditure (a flow in
 * progress, or one the asset-transfer recovery has yet to complete), expenditures on an assets line
 * without a delivery, with totals. Folded from the ledger, caught up before every answer.
 */
@Injectable()
export class ReconciliationQuery {
  private readonly view: LedgerView<ReconciliationFold>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.view = new LedgerView(store, {
      initialState: () => new ReconciliationFold(toUsdMinor),
      evolve: (fold, event) => {
        fold.apply(event);
        return fold;
      },
    });
  }

  async report(): Promise<ReconciliationReport> {
    return (await this.view.current()).state.report();
  }
}
