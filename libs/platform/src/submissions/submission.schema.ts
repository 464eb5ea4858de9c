import { z } from 'zod';

/** The largest batch a single request may carry; more is answered 413. */
export const MAX_EVENTS_PER_REQUEST = 1000;

/** Ids chosen by submitting systems: printable, no spaces, bounded. */
export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:\/-]*$/, 'letters, digits and . _ : / - only');

/** The envelope every submitted event shares, whatever its context. */
export const submittedEventSchema = z.object({
  eventId: z.uuid(),
  type: z.string().min(1).max(100),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
  source: z.string().min(1).max(200).optional(),
  actor: z.string().min(1).max(200).optional(),
});
export type SubmittedEvent = z.infer<typeof submittedEventSchema>;

export const submissionBatchSchema = z.object({
  events: z.array(z.unknown()).min(1),
});

export type SubmissionStatus = 'accepted' | 'duplicate' | 'rejected';

export interface SubmissionResult {
  eventId: string | null;
  status: SubmissionStatus;
  position?: number;
  streamId?: string;
  revision?: number;
  hash?: string;
  error?: { code: string; message: string; path?: string };
}

/** `a.b[0].c` from a zod issue path, prefixed with where the validated value sits. */
export function issuePath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** The first issue of a failed parse, as an API error; a field absent from `input` is `missing_field`. */
export function firstIssue(prefix: string, error: z.ZodError, input?: unknown): { code: string; message: string; path: string } {
  const issue = error.issues[0]!;
  const path = issuePath(prefix, issue.path);
  const missing = issue.path.length > 0 && valueAt(input, issue.path) === undefined;
  // A rule spanning fields (an LBP amount without its rate) names its own stable code in params.code.
  const ruleCode = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  if (typeof ruleCode === 'string') return { code: ruleCode, message: `${path}: ${issue.message}`, path };
  return {
    code: missing ? 'missing_field' : 'invalid_field',
    message: missing ? `${path} is required` : `${path}: ${issue.message}`,
    path,
  };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
