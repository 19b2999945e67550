/** Spreadsheets for the import tests (and the e2e and bench): real XLSX written by exceljs, CSV in the encodings people send. */
import ExcelJS from 'exceljs';
import { openCaseDatabase } from '../../src-main/db/open.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';

export type Cell = string | number | Date | boolean | null | { formula: string; result?: unknown };

export async function xlsxBytes(sheets: { name: string; rows: Cell[][]; merge?: string[] }[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const s of sheets) {
    const sheet = workbook.addWorksheet(s.name);
    for (const row of s.rows) sheet.addRow(row as ExcelJS.CellValue[]);
    for (const range of s.merge ?? []) sheet.mergeCells(range);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A messy but realistic sheet of clients: one row per issue, dates typed every way, odd postcodes, a person twice, free-text issues. */
export const MESSY_HEADER = ['Client ref', 'Forename', 'Surname', 'D.O.B.', 'Post code', 'Date seen', 'Presenting issues', 'Outcome', 'Referred to', 'Consent'];
export function messyRows(): Cell[][] {
  return [
    ['C1', 'Anna', 'Smith', new Date(Date.UTC(1980, 2, 4)), 'pr1  2aa', '12/01/2026', 'Debt', 'resolved', null, 'yes'],
    ['C1', 'Anna', 'Smith', new Date(Date.UTC(1980, 2, 4)), 'pr1  2aa', '12/01/2026', 'loneliness', null, null, 'yes'],
    ['C2', 'Bob', 'Jones', '4-3-80', 'se136aa', 46040, 'debt & loneliness', null, null, 'Y'],
    ['C3', 'Carl', 'Brown', '31/02/1990', 'M1 1AE', '01/02/2026', 'debt', null, null, 'yes'],
    ['C4', 'Dora', 'White', '1975-06-07', 'M1 1AE', '32/13/2026', 'debt', null, null, 'yes'],
    ['C5', 'Ed', 'Green', '1961-11-20', 'M1 1AE', '03/02/2026', 'my cat', null, null, 'yes'],
    ['C6', 'Ann', 'Smith', '04/03/1980', 'PR1 2AA', '20/02/2026', 'Debt', null, null, 'yes'],
    ['C7', 'Fay', 'Khan', '1990-01-15', ' m1   1ae ', '2026-02-10', 'debt', 'referred', 'Citizens Advice', 'yes'],
  ];
}

/** Windows-1252 bytes (Excel's "CSV" on a UK PC): every character here is in the code page. */
export function windows1252(text: string): Buffer {
  const table: Record<string, number> = { '€': 0x80, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96 };
  return Buffer.from([...text].map((ch) => table[ch] ?? ch.charCodeAt(0)));
}

/** An empty case database at `file`, as the app makes it. */
export function emptyCaseDatabase(file: string): void {
  openCaseDatabase(file, { migrationsDir: defaultAppPaths().migrationsDir }).close();
}
