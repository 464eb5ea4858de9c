/** A report request the caller got wrong (or, for `iati_not_configured`, the operator): answered 4xx/503, never 500. */
export class ReportRequestError extends Error {
  constructor(readonly code: string, message: string, readonly path: string) {
    super(message);
  }
}
