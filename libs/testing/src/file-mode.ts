import { statSync } from 'node:fs';

/** A path's permission bits (0o600, 0o700…). */
export const permissionsOf = (path: string): number => statSync(path).mode & 0o777;

/** Each file is readable and writable by its owner only (0600): personal data and secrets live in them. A failure names the file. */
export function expectOwnerOnly(files: readonly string[]): void {
  for (const f of files) expect({ f, mode: permissionsOf(f) }).toEqual({ f, mode: 0o600 });
}
