import { z } from 'zod';

/** Ids chosen by submitting systems: printable, no spaces, bounded. */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:\/-]*$/, 'letters, digits and . _ : / - only');

/** A calendar date YYYY-MM-DD that exists (no 2023-02-30). */
export const IsoDate = z.iso.date();

export const NonEmptyText = (max = 200) => z.string().trim().min(1).max(max);
