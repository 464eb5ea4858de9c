/** PEIL_ASSET_CEILING_USD_MINOR: the most a household's asset kit may cost, in US cents. */
export interface AssessmentPolicy {
  assetCeilingUsdMinor: number;
}
export const DEFAULT_ASSESSMENT_POLICY: AssessmentPolicy = { assetCeilingUsdMinor: 100_000 };
