import type { ReadTx } from '@peil/projections';
import { commitmentsAndExpenditures } from './grant-statement.report';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const usd = (cents: number) => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
};

export interface IatiOptions {
  /** recordedAt of the event at the report's ledger position: a fixed generated-datetime keeps the bytes reproducible. */
  generatedAt: string;
  activityIdentifier?: string;
}

/**
 * An IATI 2.03 `iati-activities` document for the programme: the activity, a budget per budget line
 * (original allocation over the grant's period), one transaction of type 2 (outgoing commitment) per
 * commitment and one of type 4 (expenditure) per unreversed expenditure, in USD with value dates.
 */
export async function iati(tx: ReadTx, options: IatiOptions): Promise<string> {
  const { grants, lines, commitments, expenditures } = await commitmentsAndExpenditures(tx);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', `<iati-activities version="2.03" generated-datetime="${esc(options.generatedAt)}">`];
  for (const g of grants) {
    const id = options.activityIdentifier ?? `XM-DAC-903-PEIL-${g.grantId}`;
    out.push(
      `  <iati-activity default-currency="USD" last-updated-datetime="${esc(options.generatedAt)}">`,
      `    <iati-identifier>${esc(id)}</iati-identifier>`,
      `    <reporting-org ref="XM-DAC-903" type="40"><narrative>${esc(g.administrator)}</narrative></reporting-org>`,
      '    <title><narrative>Productive Economic Inclusion in Lebanon (PEIL) pilot</narrative></title>',
      '    <description><narrative>Livelihood support for 1,500 ESSN/AMAN households: asset transfers, business-development and financial-literacy training, coaching, saving nudges, and evaluation.</narrative></description>',
      `    <participating-org role="1" type="10"><narrative>${esc(g.donor)}</narrative></participating-org>`,
      `    <participating-org role="3" type="40"><narrative>${esc(g.administrator)}</narrative></participating-org>`,
      `    <participating-org role="4" type="22"><narrative>${esc(g.recipient)}</narrative></participating-org>`,
      '    <activity-status code="2"/>',
      `    <activity-date type="1" iso-date="${esc(g.startDate)}"/>`,
      `    <activity-date type="3" iso-date="${esc(g.closingDate)}"/>`,
      '    <recipient-country code="LB" percentage="100"/>',
      '    <sector vocabulary="1" code="16020" percentage="100"/>',
    );
    for (const l of lines.filter((x) => x.grantId === g.grantId)) {
      out.push(
        `    <budget type="1" status="2"><period-start iso-date="${esc(g.startDate)}"/><period-end iso-date="${esc(g.closingDate)}"/>` +
          `<value currency="USD" value-date="${esc(g.startDate)}">${usd(l.allocationMinor)}</value></budget><!-- ${esc(l.code)} ${esc(l.name)} -->`,
      );
    }
    for (const c of commitments.filter((x) => x.grantId === g.grantId)) {
      out.push(
        `    <transaction ref="${esc(c.commitmentId)}"><transaction-type code="2"/><transaction-date iso-date="${esc(c.committedOn)}"/>` +
          `<value currency="USD" value-date="${esc(c.committedOn)}">${usd(c.amountMinor)}</value><description><narrative>${esc(`${c.budgetLine}: ${c.reference}`)}</narrative></description></transaction>`,
      );
    }
    for (const x of expenditures.filter((e) => e.grantId === g.grantId && e.reversedOn === null)) {
      out.push(
        `    <transaction ref="${esc(x.expenditureId)}"><transaction-type code="4"/><transaction-date iso-date="${esc(x.spentOn)}"/>` +
          `<value currency="USD" value-date="${esc(x.spentOn)}">${usd(x.usdMinor)}</value><description><narrative>${esc(`${x.budgetLine}: ${x.payee} (${x.documentRef})`)}</narrative></description></transaction>`,
      );
    }
    out.push('  </iati-activity>');
  }
  out.push('</iati-activities>', '');
  return out.join('\n');
}
