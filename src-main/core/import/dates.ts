/**
 * Dates as people type them in spreadsheets — `04/03/1980`, `4-3-80`, `4.3.1980`, `1980-03-04`,
 * `4 March 1980`, `4 Mar 80` — and as Excel stores them (serial day numbers, or date cells),
 * read UK day-first by default. A date that reads as a real date either way round (4/3 could be
 * 3 April) is ambiguous: it is read in the chosen order and listed in the report for checking.
 */
import { isIsoDate } from '../recording.ts';

export type DateOrder = 'day-first' | 'month-first';

export type DateReading =
  | {
      ok: true;
      iso: string;
      /** The other reading, when the day and month could be swapped. */
      alternative: string | null;
      /** Day and month could only be this way round (one is over 12): the column's order is settled. */
      settlesOrder?: boolean;
    }
  | { ok: false; reason: string };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const pad = (n: number) => String(n).padStart(2, '0');

function iso(year: number, month: number, day: number): string | null {
  const text = `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
  return isIsoDate(text) ? text : null;
}

/**
 * A two-digit year: this century unless that would be in the future (then the last), so "80" is
 * 1980 and "15" is 2015. Dates of birth of people over 100 need four digits.
 */
export function fullYear(twoDigits: number, today: Date = new Date()): number {
  const thisYear = today.getUTCFullYear();
  const century = Math.floor(thisYear / 100) * 100;
  return century + twoDigits > thisYear ? century - 100 + twoDigits : century + twoDigits;
}

/** Excel's day numbers: day 1 is 1900-01-01, with Excel's fictitious 1900-02-29 as day 60 (1904 system: day 0 is 1904-01-01). */
export function fromExcelSerial(serial: number, date1904 = false): string | null {
  if (!Number.isFinite(serial)) return null;
  const whole = Math.floor(serial);
  if (whole < 1 || whole > 2_958_465) return null;
  const base = date1904 ? Date.UTC(1904, 0, 1) : whole < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  if (!date1904 && whole === 60) return null; // 1900-02-29 never existed
  return new Date(base + whole * 86_400_000).toISOString().slice(0, 10);
}

/** A date cell read from a workbook (exceljs gives midnight UTC). */
function fromDateObject(date: Date): string | null {
  if (Number.isNaN(date.getTime())) return null;
  // A date cell holds a whole day; round to the nearest UTC day so a stray time does not shift it.
  return new Date(Math.round(date.getTime() / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
}

const NOT_A_DATE = 'This is not a date NeedMap can read: write it as day/month/year, for example 04/03/1980.';

/** Reads one cell as a date in `order`; `today` only decides two-digit years. */
export function readDate(value: unknown, order: DateOrder = 'day-first', options: { date1904?: boolean; today?: Date } = {}): DateReading {
  if (value instanceof Date) {
    const found = fromDateObject(value);
    return found ? { ok: true, iso: found, alternative: null } : { ok: false, reason: NOT_A_DATE };
  }
  if (typeof value === 'number') {
    const found = fromExcelSerial(value, options.date1904);
    return found ? { ok: true, iso: found, alternative: null } : { ok: false, reason: NOT_A_DATE };
  }
  const text = String(value ?? '').trim();
  if (text === '') return { ok: false, reason: 'The date is empty.' };

  // ISO first (year first is never ambiguous), with an optional time part from a database export.
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/.exec(text);
  if (m) {
    const found = iso(Number(m[1]), Number(m[2]), Number(m[3]));
    return found ? { ok: true, iso: found, alternative: null } : { ok: false, reason: `${text} is not a real date.` };
  }
  // An Excel serial number typed or saved as text ("29284").
  if (/^\d{4,7}(\.\d+)?$/.test(text)) {
    const found = fromExcelSerial(Number(text), options.date1904);
    if (found) return { ok: true, iso: found, alternative: null };
  }
  const yearOf = (y: string) => (y.length <= 2 ? fullYear(Number(y), options.today) : Number(y));

  // Day and month in words: "4 March 1980", "4 Mar 80", "March 4, 1980".
  m = /^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]{3,9})\.?[\s,-]+(\d{2}|\d{4})$/i.exec(text);
  const wordsFirst = /^([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{2}|\d{4})$/i.exec(text);
  if (m || wordsFirst) {
    const [day, monthWord, year] = m ? [m[1]!, m[2]!, m[3]!] : [wordsFirst![2]!, wordsFirst![1]!, wordsFirst![3]!];
    const month = MONTHS.indexOf(monthWord.slice(0, 3).toLowerCase()) + 1;
    const found = month > 0 ? iso(yearOf(year), month, Number(day)) : null;
    return found ? { ok: true, iso: found, alternative: null } : { ok: false, reason: `${text} is not a real date.` };
  }

  // Numbers: 04/03/1980, 4-3-80, 4.3.1980, 04031980 is not accepted (too easy to misread).
  m = /^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(text);
  if (!m) return { ok: false, reason: NOT_A_DATE };
  const [a, b, year] = [Number(m[1]), Number(m[2]), yearOf(m[3]!)];
  const [day, month] = order === 'day-first' ? [a, b] : [b, a];
  const found = iso(year, month, day);
  if (!found) {
    const swapped = iso(year, day, month);
    return {
      ok: false,
      reason: swapped
        ? `${text} is not a real date read ${order} (it would be ${swapped} the other way round: check the date order chosen for this import).`
        : `${text} is not a real date.`,
    };
  }
  const other = a !== b ? iso(year, day, month) : null;
  return { ok: true, iso: found, alternative: other, settlesOrder: a > 12 || b > 12 };
}
