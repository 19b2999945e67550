/** Whole calendar months and quarters for exports: only closed months, never the current one. */
import { MONTH_PATTERN } from './schema.ts';

export function monthIndex(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return y * 12 + (m - 1);
}

export function monthFromIndex(index: number): string {
  const y = Math.floor(index / 12);
  return `${String(y).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function quarterOf(month: string): string {
  const m = Number(month.slice(5, 7));
  return `${month.slice(0, 4)}-Q${Math.ceil(m / 3)}`;
}

/** The month containing `now` (UTC), "YYYY-MM". */
export function currentMonth(now: Date): string {
  return now.toISOString().slice(0, 7);
}

export const MAX_EXPORT_MONTHS = 120;

/** Why a period cannot be exported, or null when it can. */
export function exportPeriodError(from: string, to: string, now: Date): string | null {
  if (!MONTH_PATTERN.test(from)) return `The first month must be written YYYY-MM (got "${from}").`;
  if (!MONTH_PATTERN.test(to)) return `The last month must be written YYYY-MM (got "${to}").`;
  if (monthIndex(from) > monthIndex(to)) return `The first month (${from}) is after the last month (${to}).`;
  const current = currentMonth(now);
  if (monthIndex(to) >= monthIndex(current)) {
    return `Only whole, closed months can be exported: ${to} is not over yet (the last closed month is ${monthFromIndex(monthIndex(current) - 1)}).`;
  }
  if (monthIndex(to) - monthIndex(from) + 1 > MAX_EXPORT_MONTHS) return `At most ${MAX_EXPORT_MONTHS} months can be exported at once.`;
  return null;
}

export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let i = monthIndex(from); i <= monthIndex(to); i++) out.push(monthFromIndex(i));
  return out;
}

/** The quarters a list of months touches, each with the months of it that are covered. */
export function quartersOf(months: string[]): { quarter: string; months: string[] }[] {
  const byQuarter = new Map<string, string[]>();
  for (const month of months) {
    const q = quarterOf(month);
    (byQuarter.get(q) ?? byQuarter.set(q, []).get(q)!).push(month);
  }
  return [...byQuarter].map(([quarter, ms]) => ({ quarter, months: ms }));
}
