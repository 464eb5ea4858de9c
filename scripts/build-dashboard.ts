import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles the dashboard (dashboard/src, TypeScript and Chart.js) into dist/dashboard: one script
 * and one stylesheet whose names carry a hash of their content, so the gateway can let browsers
 * keep them for a year, and an index.html that names them. Runs after the server build
 * (`npm run build`); nothing is fetched from the network, at build time or in the browser.
 */
const root = resolve(__dirname, '..', '..');
const source = join(root, 'dashboard');
const out = join(root, 'dist', 'dashboard');

const hashed = (name: string, ext: string, content: Uint8Array) => `${name}-${createHash('sha256').update(content).digest('hex').slice(0, 16)}.${ext}`;

async function main(): Promise<void> {
  const result = await build({
    entryPoints: [join(source, 'src', 'main.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    // Browsers of the last few years: Chart.js 4 needs nothing older.
    target: ['chrome100', 'firefox100', 'safari15'],
    write: false,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  const script = result.outputFiles[0]!.contents;
  const style = readFileSync(join(source, 'styles.css'));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'assets'), { recursive: true });
  const scriptName = hashed('app', 'js', script);
  const styleName = hashed('app', 'css', style);
  writeFileSync(join(out, 'assets', scriptName), script);
  writeFileSync(join(out, 'assets', styleName), style);
  const html = readFileSync(join(source, 'index.html'), 'utf8')
    .replace('{{script}}', `/dashboard/assets/${scriptName}`)
    .replace('{{style}}', `/dashboard/assets/${styleName}`);
  if (html.includes('{{')) throw new Error('dashboard/index.html: a placeholder was left unfilled');
  writeFileSync(join(out, 'index.html'), html);
  process.stdout.write(`dashboard: ${scriptName} (${Math.round(script.length / 1024)} KiB), ${styleName}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`dashboard build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
