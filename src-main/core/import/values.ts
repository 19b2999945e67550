/**
 * One sheet as the import sees it, and each cell read as its target's kind: text, a date, yes/no,
 * or one of a field's choices (by its value, its label or a word that means it).
 */
import { readDate, type DateOrder } from './dates.ts';
import { normaliseHeader, type ImportTarget } from './targets.ts';

/** A cell: as typed, a number, a date cell, yes/no — or why it cannot be read (a formula with no saved result, an error value). */
export type CellValue = string | number | boolean | Date | null | { problem: string };

export interface SheetRow {
  /** The row number as the spreadsheet shows it (the header is row 1 unless it spans more rows). */
  row: number;
  cells: CellValue[];
}

export interface Sheet {
  /** The sheet read ("CSV" for a CSV file). */
  name: string;
  /** Every sheet of the workbook (one for a CSV). */
  sheetNames: string[];
  /** One header per column, made unique ("Name", "Name (2)"). */
  headers: string[];
  rows: SheetRow[];
  /** The workbook counts days from 1904 (old Mac Excel). */
  date1904: boolean;
  /** What the reader noticed: the encoding and delimiter of a CSV, a header over two rows… */
  notes: string[];
}

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A cell is blank when it holds nothing but spaces. */
export function isBlank(value: CellValue): boolean {
  return value === null || (typeof value === 'string' && value.trim() === '');
}

/** What a cell shows, for the report. */
export function shownValue(value: CellValue): string {
  if (value === null) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') return value.problem;
  return String(value);
}

/** CSV exports guard text that a spreadsheet would run as a formula with a leading apostrophe (core/csv.ts): take it off. */
function unguarded(text: string): string {
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}

/** A cell as text: numbers as written, dates as ISO, text trimmed. */
export function cellText(value: CellValue): string {
  if (value === null) return '';
  if (value instanceof Date) return shownValue(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return '';
  return unguarded(value.trim());
}

const YES = new Set(['yes', 'y', 'true', '1', 'x', 'given', 'consented', 'agreed', 'ok', 'tick', '✓', '✔']);
const NO = new Set(['no', 'n', 'false', '0', 'refused', 'declined', 'notgiven', 'withdrawn']);

export interface ReadOptions {
  dateOrder: DateOrder;
  date1904: boolean;
  today?: Date;
}

/** A cell read as `target`'s kind. Dates also say how else they could be read (`alternative`). */
export function readCell(
  value: CellValue,
  target: ImportTarget,
  options: ReadOptions,
): Read<string | boolean> & { alternative?: string | null; settlesOrder?: boolean } {
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return { ok: false, reason: value.problem };
  switch (target.kind) {
    case 'date': {
      const reading = readDate(typeof value === 'string' ? unguarded(value) : value, options.dateOrder, {
        date1904: options.date1904,
        ...(options.today ? { today: options.today } : {}),
      });
      return reading.ok ? { ok: true, value: reading.iso, alternative: reading.alternative, settlesOrder: reading.settlesOrder ?? false } : reading;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const word = normaliseHeader(cellText(value));
      if (YES.has(word) || YES.has(cellText(value))) return { ok: true, value: true };
      if (NO.has(word)) return { ok: true, value: false };
      return { ok: false, reason: `Write yes or no (not "${cellText(value)}").` };
    }
    case 'choice': {
      const word = normaliseHeader(cellText(value));
      const found = target.choices.find((c) => c.words.some((w) => normaliseHeader(w) === word));
      if (found) return { ok: true, value: found.value };
      return { ok: false, reason: `Not one of: ${target.choices.map((c) => c.words[2] ?? c.value).join(', ')}.` };
    }
    case 'text':
      return { ok: true, value: phoneFix(target, value) ?? cellText(value) };
  }
}

/** A UK phone number saved as a number lost its leading 0 (7700900123): put it back. */
function phoneFix(target: ImportTarget, value: CellValue): string | null {
  if (target.key !== 'client.phone' || typeof value !== 'number' || !Number.isInteger(value)) return null;
  const digits = String(value);
  return digits.length === 10 && /^[1-9]/.test(digits) ? `0${digits}` : null;
}
