import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@peil/testing';

/**
 * nest-cli.json names every application under services/ and every library under libs/, so
 * `nest build <app>` (and `nest start <app>`) work for each; the main build stays `npm run build` (swc).
 */
type Project = { type: 'application' | 'library'; root: string; entryFile: string; sourceRoot: string; compilerOptions?: { tsConfigPath?: string } };
const cli = JSON.parse(readFileSync(join(repoRoot, 'nest-cli.json'), 'utf8')) as { projects: Record<string, Project> };
const projects = Object.values(cli.projects);
const dirs = (parent: string) => readdirSync(join(repoRoot, parent), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `${parent}/${d.name}`);

describe('nest-cli.json', () => {
  it('lists every directory under services/ as an application and under libs/ as a library', () => {
    const roots = (type: Project['type']) => projects.filter((p) => p.type === type).map((p) => p.root).sort();
    expect(roots('application')).toEqual(dirs('services').sort());
    expect(roots('library')).toEqual(dirs('libs').sort());
  });

  it('points each project at its entry file and each application at a tsconfig of its own that exists', () => {
    for (const p of projects) {
      const entry = join(p.sourceRoot, `${p.entryFile}.ts`);
      expect({ entry, exists: existsSync(join(repoRoot, entry)) }).toEqual({ entry, exists: true });
      if (p.type !== 'application') continue;
      const tsconfig = p.compilerOptions?.tsConfigPath ?? '(none)';
      expect({ tsconfig, exists: existsSync(join(repoRoot, tsconfig)) }).toEqual({ tsconfig, exists: true });
      const app = JSON.parse(readFileSync(join(repoRoot, tsconfig), 'utf8')) as { include: string[]; compilerOptions: { outDir: string } };
      expect(app.include).toEqual(['src/**/*.ts']);
      expect(app.compilerOptions.outDir).toBe(`../../dist/nest/${p.root.split('/')[1]}`);
    }
  });
});
