import { intVar, loadConfig } from '@peil/config';
import { z } from 'zod';
import type { AssessmentPolicy } from '../domain/assessment-policy';

export const ASSESSMENT_POLICY = Symbol('AssessmentPolicy');

const schema = z.object({
  PEIL_ASSET_CEILING_USD_MINOR: intVar(100_000, 0, Number.MAX_SAFE_INTEGER),
});

export function loadAssessmentPolicy(env: NodeJS.ProcessEnv = process.env): AssessmentPolicy {
  return { assetCeilingUsdMinor: loadConfig(schema, env).PEIL_ASSET_CEILING_USD_MINOR };
}
