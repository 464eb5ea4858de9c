import { z } from 'zod';

/** Raised at start when an environment variable is invalid; the message names the variable. */
export class ConfigError extends Error {}

/**
 * Validates the environment against a zod object schema whose keys are variable names.
 * A bad value stops the start with `PEIL_X: <why>`; values never appear in the message,
 * because some variables hold secrets.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration\n  ${lines.join('\n  ')}`);
}

/** An integer from an environment string, with bounds. */
export const intVar = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      if (!/^-?\d+$/.test(v.trim())) {
        ctx.addIssue({ code: 'custom', message: `must be an integer between ${min} and ${max}` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });

export const stringVar = (def: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? def : v));

/** "true"/"false" (also 1/0, yes/no); anything else is an error naming the variable, never a silent default. */
export const boolVar = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const value = v.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(value)) return true;
      if (['false', '0', 'no'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    });

/** A MongoDB connection string, optional. It may carry a password: checked by shape only, never echoed. */
export const mongoUrlVar = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
    .refine((v) => v === undefined || /^mongodb(\+srv)?:\/\/\S+$/.test(v), {
      message: 'must be a MongoDB connection string (mongodb://host:27017/peil?replicaSet=rs0 or mongodb+srv://…)',
    });
