import { z } from 'zod';
import { TrainingModule } from '../assessment/assessment.events';
import { Id, NonEmptyText } from '../common/primitives';

/** Training context events (DESIGN §4): sessions, attendance, coaching visits, saving nudges. */

const decimalRate = z.string().regex(/^(?:0|[1-9]\d{0,11})(?:\.\d{1,12})?$/, 'a positive decimal string such as "89500"');

export const TrainingSessionHeld = z
  .object({
    sessionId: Id,
    module: TrainingModule,
    governorate: NonEmptyText(100),
    district: NonEmptyText(100),
    costMinor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    currency: z.enum(['USD', 'LBP']).optional(),
    fxRateToUsd: decimalRate.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.costMinor !== undefined && d.currency === undefined) {
      ctx.addIssue({ code: 'custom', path: ['currency'], message: 'a cost needs its currency' });
    }
    if (d.currency === 'LBP' && d.fxRateToUsd === undefined) {
      ctx.addIssue({ code: 'custom', path: ['fxRateToUsd'], message: 'an LBP amount needs fxRateToUsd (LBP per 1 USD)' });
    }
  });
export type TrainingSessionHeld = z.infer<typeof TrainingSessionHeld>;

export const TrainingAttended = z.object({ sessionId: Id, householdId: Id });
export type TrainingAttended = z.infer<typeof TrainingAttended>;

export const CoachingVisitRecorded = z.object({ visitId: Id, householdId: Id });
export type CoachingVisitRecorded = z.infer<typeof CoachingVisitRecorded>;

export const SavingsNudgeSent = z.object({
  nudgeId: Id,
  householdId: Id,
  channel: z.enum(['sms', 'whatsapp', 'voice']),
  template: NonEmptyText(100),
});
export type SavingsNudgeSent = z.infer<typeof SavingsNudgeSent>;

export const TRAINING_EVENT_SCHEMAS = { TrainingSessionHeld, TrainingAttended, CoachingVisitRecorded, SavingsNudgeSent } as const;

export type TrainingEvent =
  | { type: 'TrainingSessionHeld'; data: TrainingSessionHeld }
  | { type: 'TrainingAttended'; data: TrainingAttended }
  | { type: 'CoachingVisitRecorded'; data: CoachingVisitRecorded }
  | { type: 'SavingsNudgeSent'; data: SavingsNudgeSent };

/** One stream per session; one stream per household for its attendance, coaching and nudges. */
export const sessionStreamId = (sessionId: string): string => `session-${sessionId}`;
export const participationStreamId = (householdId: string): string => `participation-${householdId}`;
export const sessionExpenditureId = (sessionId: string): string => `session-${sessionId}`;
/** Which budget line purpose pays for a module. */
export const purposeOfModule = (module: z.infer<typeof TrainingModule>): 'training' | 'coaching' =>
  module === 'coaching-group' ? 'coaching' : 'training';
