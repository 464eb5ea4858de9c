import type { AssetTransferEvent, GrantEvent } from '@peil/contracts';
import type { StoredEvent } from '@peil/ledger';
import { recordedAs } from '@peil/platform/streams';

/** What the reconciliation reads of the ledger: agreements (for the assets lines), deliveries, expenditures. */
const RECONCILED = new Set(['GrantAgreementSigned', 'AssetDelivered', 'ExpenditureRecorded', 'ExpenditureReversed']);

type ToUsdMinor = (amountMinor: number, currency: 'USD' | 'LBP', fxRateToUsd?: string) => number;

export interface ReconciliationReport {
  ledgerPosition: number | null;
  deliveriesWithoutExpenditure: Array<{ deliveryId: string; householdId: string; eventId: string; position: number; usdMinor: number }>;
  expendituresWithoutDelivery: Array<{ expenditureId: string; budgetLine: string; eventId: string; position: number; usdMinor: number }>;
  deliveriesWithSeveralExpenditures: Array<{ deliveryId: string; expenditureIds: string[] }>;
  totals: {
    deliveries: number;
    deliveriesUsdMinor: number;
    linkedExpendituresUsdMinor: number;
    assetsLineSpentMinor: number;
  };
}

interface Expenditure {
  expenditureId: string;
  budgetLine: string;
  eventId: string;
  position: number;
  usdMinor: number;
  relatedEventId?: string;
  reversed: boolean;
}

/**
 * Deliveries against the assets lines' expenditures, straight from the ledger: every delivery must
 * have exactly one unreversed expenditure linked by relatedEventId, every expenditure on an assets
 * line must come from a delivery, and the two totals must agree to the cent.
 * A fold, so that a reader can keep it and apply only the events recorded since its last report.
 */
export class ReconciliationFold {
  private readonly assetsLines = new Set<string>();
  private readonly deliveries = new Map<string, { deliveryId: string; householdId: string; eventId: string; position: number; usdMinor: number }>();
  private readonly expenditures = new Map<string, Expenditure>();
  private position: number | null = null;

  constructor(private readonly toUsd: ToUsdMinor) {}

  get ledgerPosition(): number | null {
    return this.position;
  }

  apply(stored: StoredEvent): void {
    this.position = stored.position;
    const e = recordedAs<GrantEvent | AssetTransferEvent>(stored, RECONCILED);
    if (!e) return;
    switch (e.type) {
      case 'GrantAgreementSigned':
        for (const component of e.data.components) for (const line of component.budgetLines) if (line.purpose === 'assets') this.assetsLines.add(line.code);
        break;
      case 'AssetDelivered':
        this.deliveries.set(e.eventId, { deliveryId: e.data.deliveryId, householdId: e.data.householdId, eventId: e.eventId, position: e.position, usdMinor: this.toUsd(e.data.unitCostMinor * e.data.quantity, e.data.currency, e.data.fxRateToUsd) });
        break;
      case 'ExpenditureRecorded':
        this.expenditures.set(e.data.expenditureId, { expenditureId: e.data.expenditureId, budgetLine: e.data.budgetLine, eventId: e.eventId, position: e.position, usdMinor: this.toUsd(e.data.amountMinor, e.data.currency, e.data.fxRateToUsd), relatedEventId: e.data.relatedEventId, reversed: false });
        break;
      case 'ExpenditureReversed': {
        const x = this.expenditures.get(e.data.expenditureId);
        if (x) x.reversed = true;
        break;
      }
    }
  }

  report(): ReconciliationReport {
    const { deliveries } = this;
    const live = [...this.expenditures.values()].filter((x) => !x.reversed && this.assetsLines.has(x.budgetLine));
    const byDelivery = new Map<string, Expenditure[]>();
    for (const x of live) if (x.relatedEventId && deliveries.has(x.relatedEventId)) byDelivery.set(x.relatedEventId, [...(byDelivery.get(x.relatedEventId) ?? []), x]);
    const all = [...deliveries.values()];
    return {
      ledgerPosition: this.position,
      deliveriesWithoutExpenditure: all.filter((dl) => !byDelivery.has(dl.eventId)).map((dl) => ({ ...dl })),
      expendituresWithoutDelivery: live
        .filter((x) => !x.relatedEventId || !deliveries.has(x.relatedEventId))
        .map(({ expenditureId, budgetLine, eventId, position: p, usdMinor }) => ({ expenditureId, budgetLine, eventId, position: p, usdMinor })),
      deliveriesWithSeveralExpenditures: [...byDelivery]
        .filter(([, xs]) => xs.length > 1)
        .map(([eventId, xs]) => ({ deliveryId: deliveries.get(eventId)!.deliveryId, expenditureIds: xs.map((x) => x.expenditureId) })),
      totals: {
        deliveries: all.length,
        deliveriesUsdMinor: all.reduce((s, dl) => s + dl.usdMinor, 0),
        linkedExpendituresUsdMinor: [...byDelivery.values()].flat().reduce((s, x) => s + x.usdMinor, 0),
        assetsLineSpentMinor: live.reduce((s, x) => s + x.usdMinor, 0),
      },
    };
  }
}

export function reconcile(events: Iterable<StoredEvent>, toUsd: ToUsdMinor): ReconciliationReport {
  const fold = new ReconciliationFold(toUsd);
  for (const e of events) fold.apply(e);
  return fold.report();
}
