import { readFileSync } from 'node:fs';
import { NoteError, parseVerifierKey, type NoteVerifier } from '@peil/ledger';

/** Exit codes of every transparency-log command. */
export const EXIT = { intact: 0, integrity: 1, usage: 2, unreachable: 3 } as const;

/** A wrong command line: printed with the usage, exit 2. */
export class UsageError extends Error {}

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string[]>;
}

/** `--name value` pairs (repeatable) and positionals; an unknown or valueless option is a UsageError. */
export function parseArgs(args: readonly string[], known: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    if (!known.includes(arg)) throw new UsageError(`unknown option ${arg}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
    options.set(arg, [...(options.get(arg) ?? []), value]);
    i += 1;
  }
  return { positional, options };
}

export function single(parsed: ParsedArgs, name: string): string | undefined {
  const values = parsed.options.get(name);
  if (values && values.length > 1) throw new UsageError(`${name} given more than once`);
  return values?.[0];
}

export function sizeOption(parsed: ParsedArgs, name: string): number | undefined {
  const value = single(parsed, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`${name} must be a non-negative integer`);
  return Number(value);
}

/** Reads `@file` arguments; anything else is the value itself. */
export function textArg(value: string, what: string): string {
  if (!value.startsWith('@')) return value;
  try {
    return readFileSync(value.slice(1), 'utf8');
  } catch (err) {
    throw new UsageError(`${what}: cannot read ${value.slice(1)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export function verifierArg(value: string): NoteVerifier {
  try {
    return parseVerifierKey(textArg(value, '--key'));
  } catch (err) {
    if (err instanceof NoteError) throw new UsageError(`--key: ${err.message}`);
    throw err;
  }
}
