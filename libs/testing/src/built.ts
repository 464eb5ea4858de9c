import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './system';

/** Where `npm run build` puts the compiled form of a source directory of the repository. */
export const distOf = (sourceDir: string): string => join(repoRoot, 'dist', relative(repoRoot, sourceDir));

/**
 * For specs whose worker processes run the compiled code (npm run build → dist/): the code under
 * test, not a copy. Throws, naming the file, when `entry` or the build of any source below
 * `sourceDir` is missing or older than its source: a stale build would test other code.
 */
export function assertBuilt(sourceDir: string, entry: string): void {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (the README test command does)`);
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') && !d.name.endsWith('.spec.ts') ? [join(dir, d.name)] : [],
    );
  for (const source of sources(sourceDir)) {
    const built = join(distOf(sourceDir), relative(sourceDir, source)).replace(/\.ts$/, '.js');
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) {
      throw new Error(`${built} is missing or older than its source: run \`npm run build\` first`);
    }
  }
}
