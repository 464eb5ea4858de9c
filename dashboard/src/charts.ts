import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset } from 'chart.js';
import { el } from './dom';
import type { Lang } from './i18n';

// Only what the panels draw, so the bundle carries no unused chart types.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
Chart.defaults.font.family = 'system-ui, "Segoe UI", Tahoma, "Noto Sans Arabic", sans-serif';
// Figures appear at once: no animation to wait for, and screenshots show the final state.
Chart.defaults.animation = false;

const PALETTE = ['#1f5f8b', '#e08a1e', '#3a9d5d', '#b8423a', '#7a5aa6', '#8c6d3f'];
const live = new Set<Chart>();

/** Drops every chart before a re-render (a canvas holds its chart until destroyed). */
export function destroyCharts(): void {
  for (const c of live) c.destroy();
  live.clear();
}

export interface Series {
  label: string;
  values: number[];
}

/**
 * A bar (or line) chart in a figure with a caption. The canvas is an image to assistive
 * technology, labelled with the caption; the numbers themselves are in the table beside it.
 */
export function chart(kind: 'bar' | 'line', caption: string, labels: string[], series: Series[], lang: Lang, format: (n: number) => string, options: { stacked?: boolean; horizontal?: boolean } = {}): HTMLElement {
  const canvas = el('canvas', { role: 'img', 'aria-label': caption });
  const box = el('div', { class: 'chart' }, canvas);
  const datasets: ChartDataset<'bar' | 'line', number[]>[] = series.map((s, i) => ({
    label: s.label,
    data: s.values,
    backgroundColor: PALETTE[i % PALETTE.length],
    borderColor: PALETTE[i % PALETTE.length],
  }));
  const valueAxis = { stacked: options.stacked ?? false, ticks: { callback: (v: string | number) => format(Number(v)) } };
  const categoryAxis = { stacked: options.stacked ?? false, reverse: lang === 'ar' && !options.horizontal };
  const instance = new Chart(canvas, {
    type: kind,
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: options.horizontal ? 'y' : 'x',
      locale: lang === 'ar' ? 'ar-LB' : 'en-GB',
      plugins: {
        legend: { rtl: lang === 'ar', position: 'bottom' },
        tooltip: { rtl: lang === 'ar', callbacks: { label: (c) => `${c.dataset.label ?? ''}: ${format(Number(c.parsed[options.horizontal ? 'x' : 'y']))}` } },
      },
      scales: options.horizontal ? { x: valueAxis, y: { ...categoryAxis, reverse: false, position: lang === 'ar' ? 'right' : 'left' } } : { x: categoryAxis, y: { ...valueAxis, position: lang === 'ar' ? 'right' : 'left' } },
    },
  });
  live.add(instance);
  return el('figure', {}, box, el('figcaption', {}, caption));
}
