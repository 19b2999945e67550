/**
 * CSV for any table a report shows (RFC 4180: CRLF line ends; a field holding a comma, quote,
 * CR or LF is wrapped in quotes with its quotes doubled). Pure and free of Node modules: the
 * renderer calls it to build downloads.
 */

export type CsvCell = string | number | boolean | null | undefined;

export interface CsvOptions {
  /**
   * Prefix text cells that a spreadsheet would run as a formula (starting =, +, -, @, tab or CR)
   * with an apostrophe, so a client-typed referral destination cannot become a live formula.
   * Numbers are never changed. Default true.
   */
  guardFormulas?: boolean;
  /** Start with a UTF-8 byte order mark so Excel reads accents correctly. Default false. */
  byteOrderMark?: boolean;
}

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvCell, guardFormulas = true): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = typeof value === 'boolean' ? (value ? 'true' : 'false') : value;
  if (guardFormulas && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header row then one line per row, every line ended by CRLF. Rows must match the header's width. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[], options: CsvOptions = {}): string {
  const guard = options.guardFormulas ?? true;
  const lines = [header, ...rows].map((row, i) => {
    if (row.length !== header.length) {
      throw new Error(`CSV row ${i} has ${row.length} cells but the header has ${header.length}.`);
    }
    return row.map((cell) => csvField(cell, guard)).join(',') + '\r\n';
  });
  return (options.byteOrderMark ? '\uFEFF' : '') + lines.join('');
}
