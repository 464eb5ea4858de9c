/** Small DOM builders: text always goes in as text, never as HTML, so report content cannot inject markup. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/**
 * A headline figure. `data-figure` names it and `data-value` holds the raw report number, so a
 * test (or a screen reader's user copying it) can tie the text to the report it came from.
 */
export function figure(name: string, label: string, value: number | string | null, text: string): HTMLElement {
  return el('div', { class: 'figure' }, el('dt', {}, label), el('dd', { 'data-figure': name, 'data-value': value === null ? '' : String(value) }, text));
}

export const figures = (...items: HTMLElement[]) => el('dl', { class: 'figures' }, ...items);

/** A table of the numbers behind a chart, or a listing; `numeric` columns align to the end. */
export function table(caption: string, headers: string[], rows: Array<Array<string>>, options: { numeric?: number[]; name?: string } = {}): HTMLTableElement {
  const numeric = new Set(options.numeric ?? []);
  const cell = (tag: 'td' | 'th', text: string, i: number) => el(tag, numeric.has(i) ? { class: 'num' } : {}, text);
  return el(
    'table',
    options.name ? { 'data-table': options.name } : {},
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...headers.map((h, i) => { const th = cell('th', h, i); th.setAttribute('scope', 'col'); return th; }))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => cell('td', c, i))))),
  );
}

/** The text alternative of a chart: its numbers in a table, opened on demand. */
export function numbers(summary: string, tableEl: HTMLTableElement): HTMLDetailsElement {
  return el('details', { class: 'numbers' }, el('summary', {}, summary), el('div', { class: 'scroll' }, tableEl));
}
