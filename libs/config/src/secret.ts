import { readFileSync } from 'node:fs';
import { ConfigError } from './config';

export interface Secret {
  value: string;
  /** Where it came from, for error messages: the variable's name, or `<file> (PEIL_X_FILE)`. Never the value. */
  source: string;
}

/**
 * A secret from `NAME` (its value) or `NAME_FILE` (a path whose content is the value: a Docker or
 * Kubernetes secret mount), trimmed of surrounding whitespace; undefined when neither is set
 * (empty counts as unset). Both set is refused: which one wins would be a guess. Messages name the
 * variable or the file, never the content.
 */
export function readSecret(env: NodeJS.ProcessEnv, name: string): Secret | undefined {
  const direct = env[name]?.trim() || undefined;
  const file = env[`${name}_FILE`]?.trim() || undefined;
  if (direct !== undefined && file !== undefined) {
    throw new ConfigError(`invalid configuration\n  ${name}, ${name}_FILE: set one of them, not both`);
  }
  if (direct !== undefined) return { value: direct, source: name };
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`invalid configuration\n  ${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const value = text.trim();
  if (value === '') throw new ConfigError(`invalid configuration\n  ${name}_FILE: ${file} is empty`);
  return { value, source: `${file} (${name}_FILE)` };
}
