/** Excel reads a CSV file as the machine's legacy code page unless it starts with a UTF-8 byte-order mark. */
export const UTF8_BOM = '\uFEFF';

/**
 * One RFC 4180 cell. Formula guard: a cell starting with = + - @ that is not a number gets a
 * leading apostrophe, so a spreadsheet never runs a supplier named "=HYPERLINK(…)" as a formula.
 */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join('|') : String(v);
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Header and rows, CRLF line ends; with `bom` (the default for people) a UTF-8 byte-order mark first. */
export function csvDocument(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>, options: { bom: boolean }): string {
  const lines = [header.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  return `${options.bom ? UTF8_BOM : ''}${lines.join('\r\n')}\r\n`;
}
