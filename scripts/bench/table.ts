import type { BenchRow } from './harness';

const int = (n: number) => Math.round(n).toLocaleString('en-US');

function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'ms' || unit === 'µs') return `${value.toFixed(value < 10 ? 2 : 1)} ${unit}`;
  return `${int(value)} ${unit}`;
}

function formatRatio(row: BenchRow): string {
  if (row.target !== undefined) {
    const ratio = row.value / row.target;
    const met = (row.better ?? 'higher') === 'higher' ? ratio >= 1 : ratio <= 1;
    return `${ratio.toFixed(2)}× ${met ? '(meets)' : '(below target)'}`;
  }
  if (row.relativeTo) return `${(row.value / row.relativeTo.value).toFixed(2)}× of ${row.relativeTo.label}`;
  return '—';
}

function formatTarget(row: BenchRow): string {
  if (row.target === undefined) return '—';
  const sign = (row.better ?? 'higher') === 'higher' ? '≥' : '≤';
  return `${sign} ${formatValue(row.target, row.unit)}`;
}

/** A plain-text table: metric | measured | target | ratio measured/target | notes. */
export function renderTable(rows: readonly BenchRow[]): string {
  const header = ['metric', 'measured', 'target', 'ratio measured/target', 'notes'];
  const body = rows.map((r) => [r.metric, formatValue(r.value, r.unit), formatTarget(r), formatRatio(r), r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const right = [false, true, true, false, false];
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right[i] ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}
