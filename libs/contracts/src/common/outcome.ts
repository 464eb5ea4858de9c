/**
 * What every decider returns: the events to record, or why not. The rejection's `code` is the
 * stable name of the rule (a reader finds the rule, and its test, by searching for it); `path` is
 * where in the submission the problem lies.
 */
export interface Rejection {
  code: string;
  message: string;
  path?: string;
}

export type Outcome<E> = { ok: true; events: E[] } | { ok: false; rejection: Rejection };

export const reject = (code: string, message: string, path?: string): Outcome<never> => ({
  ok: false,
  rejection: path === undefined ? { code, message } : { code, message, path },
});
