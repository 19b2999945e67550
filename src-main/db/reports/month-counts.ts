/**
 * Reading report_month_counts (src-main/db/sql/report_month_counts.sql): per calendar month and key,
 * presentations grouped by the month of the client's previous presentation at a level. People in
 * whole months A..B = presentations there whose previous one is before A, so a year is a few
 * thousand rows. It answers whole-month periods only, and only for the keys it holds (issue code;
 * sector × category; sector; decile); the views count anything else from report_issue_facts.
 */
import { UNKNOWN_SECTOR, lastDayOfMonth, monthOf, type ReportFilter } from '../../core/reports.ts';
import { prepare, type CountRow, type Level, type Params } from './query.ts';
import type { SqliteDatabase } from '../open.ts';

/** The summary kind holding previous-presentation months at a level, keyed by issue code. */
export const CODE_KIND: Record<Level, string> = { code: 'code', category: 'code~cat', any: 'code~any' };

/** 1 for within-remit presentations with their within-remit previous dates, 0 for all. */
export const monthScope = (filter: ReportFilter) => (filter.remit === 'within' ? 1 : 0);

/**
 * The monthly summary answers a period exactly when it is whole calendar months (from the 1st to a
 * month's last day); other periods are counted from report_issue_facts, by day.
 */
export function wholeMonths(filter: ReportFilter): boolean {
  return filter.from.endsWith('-01') && filter.to === lastDayOfMonth(monthOf(filter.to));
}

/** The summary's key for a sector filter: '' stands for clients without a sector. */
export const sectorKey = (sector: string) => (sector === UNKNOWN_SECTOR ? '' : sector);

export interface MonthCountRow extends CountRow {
  kind: string;
  key1: string;
  key2: string;
}

/** Presentations and people (first in the period) per kind and keys, over whole months from..to. */
export function periodCounts(
  sqlite: SqliteDatabase,
  filter: ReportFilter,
  kinds: readonly string[],
  keys: { key1?: string; key2?: string; key1Prefix?: string },
  /**
   * 'grouped': read through report_month_counts_group_idx, rows arriving in key order (no sort to
   * group, but every month of the kind is visited): for kinds with many keys, i.e. sector × category.
   * 'byMonth': the primary key, only the period's months, then a sort (few keys).
   */
  order: 'byMonth' | 'grouped' = 'byMonth',
): MonthCountRow[] {
  const clauses = [`kind IN (${kinds.map((_, i) => `@kind${i}`).join(', ')})`, 'scope = @scope', 'month BETWEEN @fromMonth AND @toMonth'];
  const params: Params = { scope: monthScope(filter), fromMonth: monthOf(filter.from), toMonth: monthOf(filter.to) };
  kinds.forEach((k, i) => (params[`kind${i}`] = k));
  if (keys.key1 !== undefined) {
    clauses.push('key1 = @key1');
    params.key1 = keys.key1;
  }
  if (keys.key1Prefix !== undefined) {
    clauses.push('substr(key1, 1, 3) = @key1Prefix');
    params.key1Prefix = keys.key1Prefix;
  }
  if (keys.key2 !== undefined) {
    clauses.push('key2 = @key2');
    params.key2 = keys.key2;
  }
  const rows = prepare(
    sqlite,
    `SELECT kind, key1, key2, SUM(n) AS presentations, SUM(CASE WHEN prev_month < @fromMonth THEN n ELSE 0 END) AS people
     FROM report_month_counts ${order === 'grouped' ? 'INDEXED BY report_month_counts_group_idx' : ''}
     WHERE ${clauses.join(' AND ')} GROUP BY kind, key1, key2`,
  ).all(params) as MonthCountRow[];
  // Keys whose presentations were all deleted or moved keep a zero row.
  return rows.filter((r) => r.presentations > 0);
}
