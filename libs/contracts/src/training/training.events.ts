import { z } from 'zod';
import { TrainingModule } from '../assessment/assessment.events';
import { Currency, FxRate, MinorAmount, refineMoney } from '../common/money';
import { Id, NonEmptyText } from '../common/primitives';

/** Training context events: sessions, attendance, coaching visits, saving nudges. */

export const TrainingSessionHeld = z
  .object({
    sessionId: Id,
    module: TrainingModule,
    governorate: NonEmptyText(100),
    district: NonEmptyText(100),
    // A session may be free (held by programme staff); when it has a cost, the money rules apply.
    costMinor: MinorAmount.optional(),
    currency: Currency.optional(),
    fxRateToUsd: FxRate.optional(),
  })
  .superRefine((d, ctx) => {
    if (d.costMinor === undefined) return;
    if (d.currency === undefined) {
      ctx.addIssue({ code: 'custom', path: ['currency'], message: 'a cost needs its currency', params: { code: 'currency_required' } });
      return;
    }
    refineMoney('costMinor')(d, ctx);
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

/** TrainingAttended as the ledger holds it: with the session's module and the plan check as decided (older events lack them). */
export type RecordedTrainingAttended = TrainingAttended & { module?: z.infer<typeof TrainingModule>; inPlan?: boolean };

export type TrainingEvent =
  | { type: 'TrainingSessionHeld'; data: TrainingSessionHeld }
  | { type: 'TrainingAttended'; data: RecordedTrainingAttended }
  | { type: 'CoachingVisitRecorded'; data: CoachingVisitRecorded }
  | { type: 'SavingsNudgeSent'; data: SavingsNudgeSent };

/** One stream per session; one stream per household for its attendance, coaching and nudges. */
export const sessionStreamId = (sessionId: string): string => `session-${sessionId}`;
export const participationStreamId = (householdId: string): string => `participation-${householdId}`;
export const sessionExpenditureId = (sessionId: string): string => `session-${sessionId}`;
/** Which budget line purpose pays for a module. */
export const purposeOfModule = (module: z.infer<typeof TrainingModule>): 'training' | 'coaching' =>
  module === 'coaching-group' ? 'coaching' : 'training';
