import { REJECTION_MESSAGES, type RejectionCode } from './errors';

/**
 * What every decider returns: the events to record, or why not. The rejection's `code` is the
 * stable name of the rule, from the catalogue in errors.ts (a reader finds the rule, and its test,
 * by searching for it); `path` is where in the submission the problem lies.
 */
export interface Rejection {
  code: RejectionCode;
  message: string;
  path?: string;
}

export type Outcome<E> = { ok: true; events: E[] } | { ok: false; rejection: Rejection };

/** A rejection with the facts of the case in `message`; the catalogue's default message when none is given. */
export const reject = (code: RejectionCode, message: string = REJECTION_MESSAGES[code], path?: string): Outcome<never> => ({
  ok: false,
  rejection: path === undefined ? { code, message } : { code, message, path },
});
