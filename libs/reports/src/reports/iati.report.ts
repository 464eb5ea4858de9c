import { addQuarters, quarterDays, quarterOfDay } from '@peil/contracts';
import type { ReadTx } from '@peil/projections';
import type { GsGrant, GsLine, GsWorkPlan } from '../projections/grant-statement.projection';
import { ReportRequestError } from './report-request-error';
import { commitmentsAndExpenditures } from './grant-statement.report';
import type { IatiPublisher } from './iati.config';
import { budgetPeriods } from './iati-periods';
import { xmlDocument } from './xml-document';

export interface IatiOptions {
  /** recordedAt of the event at the report's ledger position: a fixed generated-datetime keeps the bytes reproducible. */
  generatedAt: string;
  publisher: IatiPublisher | null;
}

export class IatiNotConfiguredError extends ReportRequestError {
  constructor() {
    super('iati_not_configured', 'the IATI reporting organisation is not configured: set PEIL_IATI_REPORTING_ORG_REF, PEIL_IATI_REPORTING_ORG_TYPE and PEIL_IATI_REPORTING_ORG_NAME', 'name');
  }
}

const usd = (cents: number) => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
};
const narrative = (text: string) => ({ narrative: { '#text': text } });
const org = (ref: string | undefined, extra: Record<string, string>, name: string) => ({ ...(ref ? { '@ref': ref } : {}), ...extra, ...narrative(name) });
const value = (cents: number, valueDate: string) => ({ '@currency': 'USD', '@value-date': valueDate, '#text': usd(cents) });

/**
 * An IATI 2.03 `iati-activities` document, one activity per grant, in English by default
 * (`xml:lang`): the reporting organisation as configured, the grant's parties as participating
 * organisations (with the identifiers the agreement gives, never guessed), one budget per budget line
 * and approved work-plan year, or grant year without a work plan (IATI allows no budget period over a year), and transactions in USD: type 2
 * (outgoing commitment) per commitment and a negative type 2 per release (the commitment
 * adjustment), type 4 (expenditure) per unreversed expenditure.
 */
export async function iati(tx: ReadTx, options: IatiOptions): Promise<string> {
  const publisher = options.publisher;
  if (!publisher) throw new IatiNotConfiguredError();
  const { grants, lines, commitments, releases, expenditures, workPlans } = await commitmentsAndExpenditures(tx);
  const activities = grants.map((g) => {
    const refs = g.organisationRefs ?? {};
    return {
      '@xml:lang': 'en',
      '@default-currency': 'USD',
      '@last-updated-datetime': options.generatedAt,
      'iati-identifier': { '#text': `${publisher.ref}-PEIL-${g.grantId}` },
      'reporting-org': org(publisher.ref, { '@type': publisher.type }, publisher.name),
      title: narrative('Productive Economic Inclusion in Lebanon (PEIL) pilot'),
      description: narrative('Livelihood support for 1,500 ESSN/AMAN households: asset transfers, business-development and financial-literacy training, coaching, saving nudges, and evaluation.'),
      'participating-org': [
        org(refs.donor, { '@role': '1' }, g.donor),
        org(refs.administrator, { '@role': '3' }, g.administrator),
        org(refs.recipient, { '@role': '4' }, g.recipient),
      ],
      'activity-status': { '@code': '2' },
      'activity-date': [
        { '@type': '1', '@iso-date': g.startDate },
        { '@type': '3', '@iso-date': g.closingDate },
      ],
      'recipient-country': { '@code': 'LB', '@percentage': '100' },
      sector: { '@vocabulary': '1', '@code': '16020', '@percentage': '100' },
      budget: lineBudgets(g, lines.filter((l) => l.grantId === g.grantId), workPlans.filter((w) => w.grantId === g.grantId)).map((p) => ({
        '@type': '1',
        '@status': '2',
        'period-start': { '@iso-date': p.start },
        'period-end': { '@iso-date': p.end },
        value: value(p.amountMinor, p.start),
      })),
      transaction: [
        ...commitments
          .filter((c) => c.grantId === g.grantId)
          .map((c) => transaction(c.commitmentId, '2', c.committedOn, c.amountMinor, `${c.budgetLine}: ${c.reference}`)),
        ...releases
          .filter((r) => r.grantId === g.grantId)
          .map((r) => transaction(`${r.commitmentId}/release/${r.position}`, '2', r.releasedOn, -r.amountMinor, `${r.budgetLine}: release of commitment ${r.commitmentId}`)),
        ...expenditures
          .filter((x) => x.grantId === g.grantId && x.reversedOn === null)
          .map((x) => transaction(x.expenditureId, '4', x.spentOn, x.usdMinor, `${x.budgetLine}: ${x.payee} (${x.documentRef})`)),
      ],
    };
  });
  // Every text goes through xmlDocument, which escapes it: no string templates, no comments.
  return xmlDocument({
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    'iati-activities': { '@version': '2.03', '@generated-datetime': options.generatedAt, 'iati-activity': activities },
  });
}

/**
 * Each line's budgets, none over a year: from the approved work plans when the grant has any (one
 * budget per line and planned fiscal year, the plan's quarters summed, cut to the grant's dates),
 * otherwise the allocation spread over grant years.
 */
function lineBudgets(g: GsGrant, lines: GsLine[], plans: GsWorkPlan[]): Array<{ start: string; end: string; amountMinor: number }> {
  if (plans.length === 0) return lines.flatMap((l) => budgetPeriods(g.startDate, g.closingDate, l.allocationMinor));
  return lines.flatMap((l) =>
    plans.flatMap((plan) => {
      const entries = plan.budgets.filter((b) => b.budgetLine === l.code);
      if (entries.length === 0) return [];
      const yearEnd = quarterDays(addQuarters(quarterOfDay(plan.fiscalYearStart), 3))!.end;
      return [{
        start: plan.fiscalYearStart > g.startDate ? plan.fiscalYearStart : g.startDate,
        end: yearEnd < g.closingDate ? yearEnd : g.closingDate,
        amountMinor: entries.reduce((s, b) => s + b.amountMinor, 0),
      }];
    }),
  );
}

function transaction(ref: string, code: '2' | '4', date: string, cents: number, description: string) {
  return {
    '@ref': ref,
    'transaction-type': { '@code': code },
    'transaction-date': { '@iso-date': date },
    value: value(cents, date),
    description: narrative(description),
  };
}
