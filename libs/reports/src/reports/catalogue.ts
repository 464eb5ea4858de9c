import type { Projection, ReadTx } from '@peil/projections';
import { assetRegisterProjection } from '../projections/asset-register.projection';
import { beneficiariesProjection } from '../projections/beneficiaries.projection';
import { grantStatementProjection } from '../projections/grant-statement.projection';
import { indicatorsProjection } from '../projections/indicators.projection';
import { upcasting } from '../projections/upcasting';
import { assetRegister, assetRegisterCsv } from './asset-register.report';
import { beneficiaries } from './beneficiaries.report';
import { grantStatement, parsePeriod } from './grant-statement.report';
import { grantBook, interimFinancialReport } from './ifr.report';
import { ifrCsv } from './ifr.csv';
import type { IatiPublisher } from './iati.config';
import { iati } from './iati.report';
import { ReportRequestError } from './report-request-error';
import { indicators } from './indicators.report';

export const REPORT_NAMES = ['grant-statement', 'ifr', 'asset-register', 'beneficiaries', 'indicators', 'iati'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];
export const isReportName = (v: string): v is ReportName => (REPORT_NAMES as readonly string[]).includes(v);

export { ReportRequestError } from './report-request-error';

export interface ReportContext {
  ledgerPosition: number | null;
  /** recordedAt of the event at ledgerPosition (null on an empty ledger). */
  asOfTime: string | null;
  /** The Merkle tree over the ledger up to ledgerPosition: its size and base64 root, as a signed checkpoint states them. */
  treeSize: number;
  rootHash: string;
  period?: string;
  format?: string;
  bom?: string;
  /** Who publishes the IATI document (null: not configured, the IATI report is refused). */
  iatiPublisher?: IatiPublisher | null;
  /** Month (1, 4, 7 or 10) the fiscal year starts in, for the IFR's year-to-date columns (default 1). */
  fiscalYearStartMonth?: number;
}

export interface Rendered {
  contentType: string;
  body: string;
}

/** Each report's projection, reading events upcast to their current schema. */
export function reportProjections(householdRef: (householdId: string) => string): Record<ReportName, Projection> {
  const gs = upcasting(grantStatementProjection);
  return {
    'grant-statement': gs,
    ifr: gs,
    'asset-register': upcasting(assetRegisterProjection(householdRef)),
    beneficiaries: upcasting(beneficiariesProjection(householdRef)),
    indicators: upcasting(indicatorsProjection(householdRef)),
    iati: gs,
  };
}

/** The distinct projections behind every report (the IATI document shares the grant statement's). */
export function allProjections(householdRef: (householdId: string) => string): Projection[] {
  return [...new Set(Object.values(reportProjections(householdRef)))];
}

const FORMATS: Record<ReportName, readonly string[]> = {
  'grant-statement': ['json'],
  ifr: ['json', 'csv'],
  'asset-register': ['json', 'csv'],
  beneficiaries: ['json'],
  indicators: ['json'],
  iati: ['xml'],
};

export function validateRequest(name: ReportName, ctx: { period?: string; format?: string; bom?: string }): void {
  if (ctx.bom !== undefined && ctx.bom !== 'true' && ctx.bom !== 'false') {
    throw new ReportRequestError('invalid_query', 'bom must be true or false', 'bom');
  }
  if (ctx.format !== undefined && !FORMATS[name].includes(ctx.format)) {
    throw new ReportRequestError('invalid_query', `${name} comes as ${FORMATS[name].join(' or ')}`, 'format');
  }
  if ((name === 'grant-statement' || name === 'ifr') && ctx.period !== undefined && !parsePeriod(ctx.period)) {
    throw new ReportRequestError('invalid_query', 'period must be a quarter such as 2025Q4', 'period');
  }
}

/**
 * Renders a report from its read model. Output is canonical JSON (sorted keys, no whitespace), CSV
 * or XML built only from the read model and the ledger position — no clock — so the same position
 * always gives the same bytes.
 */
export async function render(name: ReportName, tx: ReadTx, ctx: ReportContext, canonicalJson: (v: unknown) => string): Promise<Rendered> {
  validateRequest(name, ctx);
  const envelope = (data: Record<string, unknown>) => ({
    contentType: 'application/json',
    body: canonicalJson({ report: name, ledgerPosition: ctx.ledgerPosition, asOf: ctx.asOfTime, treeSize: ctx.treeSize, rootHash: ctx.rootHash, ...data }),
  });
  switch (name) {
    case 'grant-statement': {
      const period = parsePeriod(ctx.period ?? defaultPeriod(ctx.asOfTime))!;
      return envelope(await grantStatement(tx, period));
    }
    case 'ifr': {
      const ifr = interimFinancialReport(await grantBook(tx), ctx.period ?? defaultPeriod(ctx.asOfTime), ctx.fiscalYearStartMonth ?? 1);
      if (ctx.format === 'csv') return { contentType: 'text/csv; charset=utf-8', body: ifrCsv(ifr, { bom: ctx.bom !== 'false', ledgerPosition: ctx.ledgerPosition }) };
      return envelope(ifr);
    }
    case 'asset-register': {
      const register = await assetRegister(tx);
      if (ctx.format === 'csv') return { contentType: 'text/csv; charset=utf-8', body: assetRegisterCsv(register, { bom: ctx.bom !== 'false' }) };
      return envelope(register);
    }
    case 'beneficiaries':
      return envelope(await beneficiaries(tx));
    case 'indicators':
      return envelope(await indicators(tx));
    case 'iati':
      return { contentType: 'application/xml; charset=utf-8', body: await iati(tx, { generatedAt: ctx.asOfTime ?? '1970-01-01T00:00:00.000Z', publisher: ctx.iatiPublisher ?? null }) };
  }
}

/** "period defaults to the quarter of the report's as-of time". */
function defaultPeriod(asOfTime: string | null): string {
  const day = (asOfTime ?? '1970-01-01').slice(0, 10);
  return `${day.slice(0, 4)}Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`;
}
