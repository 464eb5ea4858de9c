import { ConfigError, loadConfig } from '@peil/config';
import { z } from 'zod';

/**
 * Who publishes the IATI document. IATI identifies a publisher by its organisation identifier
 * (org-id.guide, e.g. `XM-DAC-44000` for the World Bank, or a registration such as `LB-MOI-…` for a
 * Lebanese NGO) and its IATI organisation type code. There is no sensible default — a wrong
 * identifier names another body (the old hard-coded `XM-DAC-903` was the IFC) — so without it the
 * IATI report is refused with 503 `iati_not_configured`.
 */
export interface IatiPublisher {
  ref: string;
  type: string;
  name: string;
}

export const IATI_VARIABLES = ['PEIL_IATI_REPORTING_ORG_REF', 'PEIL_IATI_REPORTING_ORG_TYPE', 'PEIL_IATI_REPORTING_ORG_NAME'] as const;

// IATI OrganisationType codelist (2.03).
const ORGANISATION_TYPES = ['10', '11', '15', '21', '22', '23', '24', '30', '40', '60', '70', '71', '72', '73', '80', '90'] as const;

const schema = z.object({
  PEIL_IATI_REPORTING_ORG_REF: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]{1,99}$/, 'an organisation identifier such as XM-DAC-44000').optional(),
  PEIL_IATI_REPORTING_ORG_TYPE: z.enum(ORGANISATION_TYPES, { message: `an IATI organisation type code: ${ORGANISATION_TYPES.join(', ')}` }).optional(),
  PEIL_IATI_REPORTING_ORG_NAME: z.string().trim().min(1).max(200).optional(),
});

/** All three variables, or none (the report then answers 503); some but not all is a start error. */
export function loadIatiPublisher(env: NodeJS.ProcessEnv = process.env): IatiPublisher | null {
  const c = loadConfig(schema, env);
  const set = IATI_VARIABLES.filter((v) => c[v] !== undefined);
  if (set.length === 0) return null;
  if (set.length < IATI_VARIABLES.length) {
    const missing = IATI_VARIABLES.filter((v) => c[v] === undefined);
    throw new ConfigError(`${missing.join(', ')}: required with ${set.join(', ')} (the IATI reporting organisation)`);
  }
  return { ref: c.PEIL_IATI_REPORTING_ORG_REF!, type: c.PEIL_IATI_REPORTING_ORG_TYPE!, name: c.PEIL_IATI_REPORTING_ORG_NAME! };
}
