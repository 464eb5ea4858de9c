import Database from 'better-sqlite3';
import { cpus, tmpdir, totalmem } from 'node:os';
import { enrolmentEvent, eventSizes } from '@peil/testing';
import { BenchContext, type BenchRow, type BenchSection, filesystemOf, msSince } from './harness';
import { storeBench } from './store.bench';
import { renderTable } from './table';
import { verifyBench } from './verify.bench';
import { httpBench } from './http.bench';
import { rebuildBench, reportsBench } from './projection.bench';
import { streamsBench } from './streams.bench';
import { tlogBench } from './tlog.bench';
import { featuresBench } from './features.bench';
import { categoryBench } from './category.bench';

/**
 * `npm run bench` — performance targets (targets.ts), measured on a fresh temp ledger.
 *   --quick                     10× fewer events (smoke run)
 *   PEIL_BENCH_ONLY=store,verify  run only these sections (store, verify, http, rebuild, reports, streams, tlog, features, category)
 *   PEIL_BENCH_REPORT_EVENTS=100000,1000000  ledger sizes for rebuild and reports (the default)
 * A bench reports, it never gates: slow numbers never make it exit non-zero (only a crash or a
 * failed correctness check inside a section does).
 *
 * Each section is one module, listed here.
 */
const SECTIONS: readonly BenchSection[] = [storeBench, verifyBench, httpBench, rebuildBench, reportsBench, streamsBench, tlogBench, featuresBench, categoryBench];

function selectSections(): BenchSection[] {
  const only = process.env.PEIL_BENCH_ONLY?.trim();
  if (!only) return [...SECTIONS];
  const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !SECTIONS.some((s) => s.name === w));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}\n`);
  }
  return SECTIONS.filter((s) => wanted.includes(s.name));
}

function machineInfo(): string {
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  const driver = (require('better-sqlite3/package.json') as { version: string }).version;
  const cpu = cpus();
  return (
    `machine: node ${process.version} (${process.platform}/${process.arch}), ${cpu.length} cpus (${cpu[0]?.model.trim() ?? '?'}), ` +
    `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, sqlite ${sqlite} (better-sqlite3 ${driver}), tmp ${tmpdir()} on ${filesystemOf(tmpdir())}`
  );
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const sections = selectSections();
  const sample = enrolmentEvent('HH-b1000-0000001', 0);
  const size = eventSizes(sample, 'household-HH-b1000-0000001');
  process.stdout.write(`peil-ledger bench${quick ? ' (--quick: 10× fewer events)' : ''}\n${machineInfo()}\n`);
  process.stdout.write(
    `event: ${sample.type}-like, ~${size.stored} bytes stored (envelope + hash + digest), data ~${size.data} bytes with enc:v1 personal data\n`,
  );
  if (sections.length === 0) {
    process.stdout.write('no section selected\n');
    return;
  }

  const ctx = new BenchContext(quick);
  const rows: BenchRow[] = [];
  let failed = false;
  const cleanup = () => void ctx.close().catch(() => undefined);
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const started = process.hrtime.bigint();
  try {
    for (const section of sections) {
      process.stdout.write(`\n[${section.name}] ${section.title} …`);
      const t = process.hrtime.bigint();
      try {
        const sectionRows = await section.run(ctx);
        rows.push(...sectionRows);
        process.stdout.write(` ${(msSince(t) / 1000).toFixed(1)} s\n`);
      } catch (err) {
        failed = true;
        process.stdout.write(' failed\n');
        process.stderr.write(`bench section ${section.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      }
    }
  } finally {
    await ctx.close();
  }
  process.stdout.write(`\n${renderTable(rows)}\n\ntotal ${(msSince(started) / 1000).toFixed(1)} s; targets in scripts/bench/targets.ts. A bench never gates.\n`);
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
