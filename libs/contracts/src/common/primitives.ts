import { z } from 'zod';

/** Ids chosen by submitting systems: printable, no spaces, bounded. */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:\/-]*$/, 'letters, digits and . _ : / - only');

/** A calendar date YYYY-MM-DD that exists (no 2023-02-30). */
export const IsoDate = z.iso.date();

/** An instant with its offset (Z or ±hh:mm), on a date that exists. */
export const IsoDateTime = z.iso.datetime({ offset: true });

/**
 * A name, place or reference: one line. Controls, lone surrogates and bidi overrides are refused
 * for every string before any schema runs (see text.ts); tab and newline pass that walk and are
 * refused here, so that only free text (FreeText) may span lines.
 */
export const NonEmptyText = (max = 200) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\t\n]*$/, 'one line: no tab or newline');

/** Free text (a reason, a note): may hold tabs and newlines. */
export const FreeText = (max = 500) => z.string().trim().min(1).max(max);
