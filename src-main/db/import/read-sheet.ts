/**
 * Reading a spreadsheet file — an XLSX workbook (exceljs) or a CSV in any common encoding and
 * delimiter — into a Sheet (core/import/values.ts): one header per column and each row's cells.
 * What it cannot read is refused with a SheetFileError saying why and what to do, before anything
 * is written: a password-protected workbook, an old .xls, a PDF or other file, an empty sheet.
 */
import { isUtf8 } from 'node:buffer';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { CellValue, Sheet, SheetRow } from '../../core/import/values.ts';
import { IMPORT_TARGETS, normaliseHeader } from '../../core/import/targets.ts';

export class SheetFileError extends Error {
  override name = 'SheetFileError';
}

/** Larger files are refused before they are read (a sheet of 100,000 clients is about 15 MB). */
export const MAX_SHEET_BYTES = 100 * 1024 * 1024;

const starts = (bytes: Buffer, magic: number[]) => magic.every((b, i) => bytes[i] === b);
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** Reads `bytes` (the file `name`) as a sheet; `sheetName` picks a workbook's sheet (default: the first with any cells). */
export async function readSheetFile(bytes: Buffer, name: string, sheetName?: string): Promise<Sheet> {
  if (bytes.length === 0) throw new SheetFileError(`${name} is empty.`);
  if (bytes.length > MAX_SHEET_BYTES) throw new SheetFileError(`${name} is larger than ${MAX_SHEET_BYTES / 1024 / 1024} MB; split it into smaller files.`);
  if (starts(bytes, OLE)) {
    if (bytes.includes(Buffer.from('EncryptionInfo', 'utf16le'))) {
      throw new SheetFileError(
        `${name} is password-protected. Open it in Excel, remove the password (File → Info → Protect Workbook), save it and import it again.`,
      );
    }
    throw new SheetFileError(`${name} is an old Excel (.xls) or other Office file. Open it in Excel and save it as an Excel workbook (.xlsx) or CSV.`);
  }
  if (starts(bytes, ZIP)) return readWorkbook(bytes, name, sheetName);
  if (starts(bytes, [0x25, 0x50, 0x44, 0x46]))
    throw new SheetFileError(`${name} is a PDF, not a spreadsheet. Import the spreadsheet it was made from (.xlsx or .csv).`);
  if (sheetName !== undefined && sheetName !== 'CSV') throw new SheetFileError(`${name} is a CSV file: it has no sheet called "${sheetName}".`);
  return readCsv(bytes, name);
}

// ------------------------------------------------------------------------------------------ XLSX

function cellValue(value: ExcelJS.CellValue): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if ('error' in value) return { problem: `The cell shows the error ${value.error}.` };
  if ('richText' in value) return value.richText.map((t) => t.text).join('');
  if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : null;
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as ExcelJS.CellFormulaValue).result;
    if (result === undefined || result === null)
      return { problem: 'A formula with no saved result: open the file in Excel, let it calculate, save it and import it again.' };
    if (typeof result === 'object' && !(result instanceof Date)) return { problem: `The formula's result is the error ${result.error}.` };
    return result;
  }
  return null;
}

function rowCells(row: ExcelJS.Row, width: number): CellValue[] {
  const cells: CellValue[] = [];
  for (let c = 1; c <= width; c++) cells.push(cellValue(row.getCell(c).value));
  return cells;
}

const KNOWN_HEADERS = new Set(IMPORT_TARGETS.flatMap((t) => [t.header, ...t.synonyms].map(normaliseHeader)));

/**
 * Headers from the first row — or the first two when the first has cells merged across columns
 * ("Client" over "First name | Surname") and the second reads as headers: each column is then
 * named by its second-row text, else its first.
 */
function headersOf(sheet: ExcelJS.Worksheet, width: number, notes: string[]): { headers: string[]; headerRows: number } {
  const first = sheet.getRow(1);
  const text = (row: ExcelJS.Row, c: number) => {
    const v = cellValue(row.getCell(c).value);
    return v === null || typeof v === 'object' ? (v instanceof Date ? v.toISOString().slice(0, 10) : '') : String(v).trim();
  };
  const mergedAcross: number[] = [];
  for (let c = 1; c <= width; c++) {
    const cell = first.getCell(c);
    if (cell.isMerged && cell.master.address !== cell.address && cell.master.row === cell.row) mergedAcross.push(c);
  }
  let headers = Array.from({ length: width }, (_, i) => text(first, i + 1));
  let headerRows = 1;
  if (mergedAcross.length > 0) {
    const second = sheet.getRow(2);
    const below = Array.from({ length: width }, (_, i) => text(second, i + 1));
    const values = Array.from({ length: width }, (_, i) => cellValue(second.getCell(i + 1).value));
    const looksLikeHeaders = values.every((v) => v === null || typeof v === 'string') && below.some((b) => KNOWN_HEADERS.has(normaliseHeader(b)));
    if (looksLikeHeaders) {
      headers = headers.map((h, i) => below[i] || h);
      headerRows = 2;
      notes.push('The header spans two rows (merged cells in the first): each column is named by the second row where it has a name.');
    } else {
      notes.push(
        `Header cells are merged across columns ${mergedAcross.map((c) => sheet.getColumn(c).letter).join(', ')}: those columns repeat the merged header; check what each holds.`,
      );
    }
  }
  return { headers: uniqueHeaders(headers), headerRows };
}

/** Empty headers named by their column letter; repeated ones numbered: "Name", "Name (2)". */
function uniqueHeaders(headers: string[]): string[] {
  const seen = new Map<string, number>();
  return headers.map((h, i) => {
    const base = h || `Column ${columnLetter(i + 1)}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
}

function columnLetter(n: number): string {
  let s = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

async function readWorkbook(bytes: Buffer, name: string, sheetName?: string): Promise<Sheet> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw new SheetFileError(
      `${name} is not an Excel workbook NeedMap can read (${(error as Error).message.slice(0, 120)}). Save it from Excel as .xlsx or CSV and try again.`,
    );
  }
  const sheets = workbook.worksheets;
  const sheetNames = sheets.map((s) => s.name);
  if (sheets.length === 0) throw new SheetFileError(`${name} has no sheets.`);
  const sheet = sheetName !== undefined ? sheets.find((s) => s.name === sheetName) : (sheets.find((s) => s.actualRowCount > 0) ?? sheets[0]);
  if (!sheet) throw new SheetFileError(`${name} has no sheet called "${sheetName}"; its sheets are ${sheetNames.map((s) => `"${s}"`).join(', ')}.`);
  const width = sheet.actualColumnCount > 0 ? sheet.columnCount : 0;
  if (sheet.actualRowCount === 0 || width === 0) throw new SheetFileError(`The sheet "${sheet.name}" of ${name} is empty.`);
  const notes: string[] = [];
  const { headers, headerRows } = headersOf(sheet, width, notes);
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber > headerRows) rows.push({ row: rowNumber, cells: rowCells(row, width) });
  });
  if (rows.length === 0) throw new SheetFileError(`The sheet "${sheet.name}" of ${name} has a header but no rows.`);
  return { name: sheet.name, sheetNames, headers, rows, date1904: workbook.properties?.date1904 === true, notes };
}

// ------------------------------------------------------------------------------------------- CSV

/** The text of a CSV: UTF-8 (with or without a byte-order mark), UTF-16 with its mark, else Windows-1252 (Excel's "CSV" on a UK PC). */
export function decodeText(bytes: Buffer, name: string): { text: string; encoding: string } {
  if (starts(bytes, [0xef, 0xbb, 0xbf])) return { text: bytes.subarray(3).toString('utf8'), encoding: 'UTF-8 with a byte-order mark' };
  if (starts(bytes, [0xff, 0xfe])) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'UTF-16 (little-endian)' };
  if (starts(bytes, [0xfe, 0xff])) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'UTF-16 (big-endian)' };
  const sample = bytes.subarray(0, 64 * 1024);
  if (sample.includes(0)) throw new SheetFileError(`${name} is not a spreadsheet NeedMap can read: import an Excel workbook (.xlsx) or a CSV file.`);
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), encoding: 'UTF-8' };
  return { text: windows1252(bytes), encoding: 'Windows-1252 (it was not UTF-8)' };
}

/** What Windows-1252 puts at 0x80–0x9F (curly quotes, dashes, €…); the rest is Latin-1. */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Windows-1252 text: Node's TextDecoder('windows-1252') without full ICU decodes it as Latin-1, turning ’ and € into control characters. */
export function windows1252(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\x80-\x9f]/g, (ch) => CP1252_HIGH[ch.charCodeAt(0) - 0x80]!);
}

/** The delimiter the first lines agree on: comma, semicolon, tab or bar (quotes respected). */
export function sniffDelimiter(text: string): string {
  const lines: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length && lines.length < 20; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === '\n' || ch === '\r')) {
      if (current.trim()) lines.push(current);
      current = '';
    } else if (!quoted) current += ch;
  }
  if (current.trim() && lines.length < 20) lines.push(current);
  let best = ',';
  let bestScore = 0;
  for (const d of [',', ';', '\t', '|']) {
    const counts = lines.map((l) => l.split(d).length - 1);
    if (counts[0] === 0) continue;
    const agreeing = counts.filter((c) => c === counts[0]).length;
    const score = agreeing * 1000 + counts[0]!;
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'commas', ';': 'semicolons', '\t': 'tabs', '|': 'bars' };

function readCsv(bytes: Buffer, name: string): Sheet {
  const { text, encoding } = decodeText(bytes, name);
  const delimiter = sniffDelimiter(text);
  let records: string[][];
  try {
    records = parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
  } catch (error) {
    throw new SheetFileError(`${name} is not a CSV file NeedMap can read: ${(error as Error).message}`);
  }
  const firstUsed = records.findIndex((r) => r.some((c) => c.trim() !== ''));
  if (firstUsed < 0) throw new SheetFileError(`${name} is empty.`);
  const header = records[firstUsed]!;
  const width = Math.max(...records.map((r) => r.length));
  const headers = uniqueHeaders(Array.from({ length: width }, (_, i) => (header[i] ?? '').trim()));
  const rows: SheetRow[] = [];
  for (let i = firstUsed + 1; i < records.length; i++) {
    const record = records[i]!;
    if (record.every((c) => c.trim() === '')) continue;
    rows.push({ row: i + 1, cells: Array.from({ length: width }, (_, c) => record[c] ?? null) });
  }
  if (rows.length === 0) throw new SheetFileError(`${name} has a header but no rows.`);
  return { name: 'CSV', sheetNames: ['CSV'], headers, rows, date1904: false, notes: [`Read as ${encoding}, separated by ${DELIMITER_NAMES[delimiter]}.`] };
}
