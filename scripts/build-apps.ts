import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { SERVICES } from '@peil/platform/config';

/**
 * Bundles each process of the system (the nine services, the supervisor, the CLI and the ledger's
 * two verify workers) from the compiled tree into one file each under dist/apps/ (decision 0086).
 *
 * Why: a service loaded from dist/ reads about 900 CommonJS files plus NestJS's ES modules; nine
 * of them starting at once on a two-core machine spent ~10 s before the system was ready, most of
 * it resolving and compiling modules. One file per process halves that: a restart after a crash, a
 * container's start and every end-to-end test's start are that much shorter.
 *
 * Input is dist/ (swc's output), not the sources: swc has already written the decorator metadata
 * NestJS's injector reads, which esbuild cannot emit. Names are kept (NestJS and the error
 * catalogue use class names); a source map sits beside each file.
 */
const root = resolve(__dirname, '..', '..');
const dist = join(root, 'dist');

const entryPoints: Record<string, string> = {
  ...Object.fromEntries([...Object.keys(SERVICES), 'gateway'].map((name) => [name, join(dist, 'services', name, 'src', 'main.js')])),
  start: join(dist, 'scripts', 'start.js'),
  cli: join(dist, 'scripts', 'cli.js'),
  // Beside the processes that start it: parallel-verify.ts looks for it next to itself.
  'verify-worker': join(dist, 'libs', 'ledger', 'src', 'verify', 'verify-worker.js'),
  // Likewise beside the CLI for verify-pack-file.ts.
  'pack-verify-worker': join(dist, 'libs', 'ledger', 'src', 'pack', 'pack-verify-worker.js'),
};

/**
 * Left to `require` at run time, from node_modules:
 * - the native SQLite binding (a .node file cannot be bundled);
 * - the production profile's clients (MongoDB, EventStoreDB and its gRPC stack): the code loads
 *   them only when that profile is configured, so the embedded profile never parses them;
 * - optional packages a library tries to load and that are not installed (NestJS's other
 *   transports, for instance): they stay failed `require`s, as they are without the bundle.
 */
const RUNTIME_PACKAGES = /^(better-sqlite3|mongoose|mongodb|@nestjs\/mongoose|@eventstore\/db-client|@grpc\/[^/]+)(\/|$)/;

const keepRuntimeRequires: Plugin = {
  name: 'keep-runtime-requires',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || RUNTIME_PACKAGES.test(args.path)) return { path: args.path, external: true };
      try {
        createRequire(join(args.resolveDir, 'index.js')).resolve(args.path);
        return undefined;
      } catch {
        return { path: args.path, external: true };
      }
    });
  },
};

async function main(): Promise<void> {
  const started = Date.now();
  await build({
    entryPoints,
    outdir: join(dist, 'apps'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    keepNames: true,
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    plugins: [keepRuntimeRequires],
    logLevel: 'warning',
  });
  process.stdout.write(`apps: ${Object.keys(entryPoints).length} bundles in dist/apps (${Date.now() - started} ms)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`apps build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
