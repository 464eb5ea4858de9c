import { z } from 'zod';
import { Id, NonEmptyText } from '../common/primitives';
import { nameKey } from '../common/name-key';

/** Assessment context events: market assessments, skills profiles, livelihood plans. */

/** Sectors are short slugs chosen by the programme ("tailoring", "food-processing"). */
export const Sector = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a lowercase slug such as tailoring or food-processing').max(60);

export const TrainingModule = z.enum(['business-development', 'financial-literacy', 'technical', 'coaching-group']);
export type TrainingModule = z.infer<typeof TrainingModule>;

export const MarketAssessmentCompleted = z.object({
  assessmentId: Id,
  governorate: NonEmptyText(100),
  district: NonEmptyText(100),
  viableSectors: z.array(Sector).min(1).max(100),
});
export type MarketAssessmentCompleted = z.infer<typeof MarketAssessmentCompleted>;

export const SkillsProfileRecorded = z.object({
  householdId: Id,
  skills: z.array(NonEmptyText(100)).max(50),
  yearsExperience: z.number().int().min(0).max(80),
  preferredSector: Sector,
});
export type SkillsProfileRecorded = z.infer<typeof SkillsProfileRecorded>;

export const AssetKitLine = z.object({
  itemCode: Id,
  quantity: z.number().int().min(1).max(1000),
});
export type AssetKitLine = z.infer<typeof AssetKitLine>;

export const LivelihoodPlanApproved = z.object({
  householdId: Id,
  planId: Id,
  sector: Sector,
  assetKit: z.array(AssetKitLine).max(50),
  trainingModules: z.array(TrainingModule).max(20),
  coachingSessions: z.number().int().min(0).max(100),
});
export type LivelihoodPlanApproved = z.infer<typeof LivelihoodPlanApproved>;

export const ASSESSMENT_EVENT_SCHEMAS = { MarketAssessmentCompleted, SkillsProfileRecorded, LivelihoodPlanApproved } as const;

export type AssessmentEvent =
  | { type: 'MarketAssessmentCompleted'; data: MarketAssessmentCompleted }
  | { type: 'SkillsProfileRecorded'; data: SkillsProfileRecorded }
  | { type: 'LivelihoodPlanApproved'; data: LivelihoodPlanApproved };

/** One stream per district for its market assessments (the newest supersedes older ones). */
export const marketStreamId = (district: string): string => `market-${nameKey(district)}`;
/** One stream per household for its skills profile and livelihood plan. */
export const livelihoodStreamId = (householdId: string): string => `livelihood-${householdId}`;
export const LIVELIHOOD_CATEGORY = 'livelihood';
/** The commitment a plan's kit holds on the assets budget line. */
export const planCommitmentId = (planId: string): string => `plan-${planId}`;
