/**
 * Trend: month by month, with the same month a year earlier alongside (whole calendar months always).
 * From report_month_counts (by issue code, or by sector and category); an issue within one sector,
 * which the monthly summary does not key, from report_issue_facts.
 */
import { firstDayOfMonth, lastDayOfMonth, monthOf, monthsBetween, previousYearMonth, type ReportFilter, type TrendReport } from '../../core/reports.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { SqliteDatabase } from '../open.ts';
import { byCodeSource, firstSince, issueScope } from './issue-facts.ts';
import { CODE_KIND, monthScope, sectorKey } from './month-counts.ts';
import { categoryKeyOf, filterLevel, prepare, type CountRow, type Params } from './query.ts';

/**
 * Whole calendar months from month(from) to month(to); each month's presentations and people,
 * and the same for the month twelve before it.
 */
export function trendReport(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): TrendReport {
  const months = monthsBetween(monthOf(filter.from), monthOf(filter.to));
  const earliest = previousYearMonth(months[0]!);
  const byMonth =
    filter.sector === null || filter.issueCode === null
      ? trendFromMonths(sqlite, taxonomy, filter, earliest, months[months.length - 1]!)
      : trendFromFacts(sqlite, taxonomy, filter, earliest, months[months.length - 1]!);
  return {
    filter,
    points: months.map((month) => {
      const before = previousYearMonth(month);
      return {
        month,
        presentations: byMonth.get(month)?.presentations ?? 0,
        people: byMonth.get(month)?.people ?? 0,
        previousYearMonth: before,
        previousYearPresentations: byMonth.get(before)?.presentations ?? 0,
        previousYearPeople: byMonth.get(before)?.people ?? 0,
      };
    }),
  };
}

/**
 * Presentations and people (first in their month) per month, first..last, from the monthly summary:
 * by issue code without a sector filter, by sector (and category) with one.
 */
function trendFromMonths(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter, first: string, last: string): Map<string, CountRow> {
  const clauses = ['kind = @kind', 'scope = @scope', 'month BETWEEN @first AND @last'];
  const params: Params = { scope: monthScope(filter), first, last };
  if (filter.sector === null) {
    params.kind = CODE_KIND[filterLevel(filter)];
    if (filter.issueCode !== null) {
      clauses.push('key1 = @issueCode');
      params.issueCode = filter.issueCode;
    } else if (filter.category !== null) {
      clauses.push('substr(key1, 1, 3) = @categoryKey');
      params.categoryKey = categoryKeyOf(taxonomy, filter.category);
    }
  } else {
    clauses.push('key1 = @sector');
    params.sector = sectorKey(filter.sector);
    params.kind = filter.category === null ? 'sector~any' : 'sector~cat';
    if (filter.category !== null) {
      clauses.push('key2 = @categoryKey');
      params.categoryKey = categoryKeyOf(taxonomy, filter.category);
    }
  }
  const rows = prepare(
    sqlite,
    `SELECT month, SUM(n) AS presentations, SUM(CASE WHEN prev_month < month THEN n ELSE 0 END) AS people
     FROM report_month_counts WHERE ${clauses.join(' AND ')} GROUP BY month`,
  ).all(params) as (CountRow & { month: string })[];
  return new Map(rows.map((r) => [r.month, { people: r.people, presentations: r.presentations }]));
}

/** The same from report_issue_facts, by day (an issue within one sector, which the summary does not key). */
function trendFromFacts(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter, earliest: string, last: string): Map<string, CountRow> {
  const scope = issueScope(filter, taxonomy, { dates: 'none' });
  // A previous date before "YYYY-MM" is exactly one before the month's first day.
  const monthStart = `substr(f.identified_on, 1, 7)`;
  const where = `f.identified_on BETWEEN @trendStart AND @trendEnd AND ${scope.where}`;
  // Grouped by day in the order the rows arrive, so SQLite streams instead of sorting; months are
  // summed below. An issue or category comes from the code index (by code, then day); the rest
  // from the table itself, clustered by day.
  const source =
    filter.sector === null && (filter.issueCode !== null || filter.category !== null)
      ? { ...byCodeSource(filter, where), groupBy: 'f.issue_code, f.identified_on' }
      : { with: '', from: 'report_issue_facts f', where, groupBy: 'f.identified_on' };
  const rows = prepare(
    sqlite,
    `${source.with}
     SELECT f.identified_on AS day, COUNT(*) AS presentations,
            SUM(${firstSince(filterLevel(filter), filter.remit, monthStart)}) AS people
     FROM ${source.from} WHERE ${source.where}
     GROUP BY ${source.groupBy}`,
  ).all({
    ...scope.params,
    trendStart: firstDayOfMonth(earliest),
    trendEnd: lastDayOfMonth(last),
  }) as (CountRow & { day: string })[];
  const byMonth = new Map<string, CountRow>();
  for (const r of rows) {
    const sum = byMonth.get(monthOf(r.day)) ?? { people: 0, presentations: 0 };
    sum.people += r.people;
    sum.presentations += r.presentations;
    byMonth.set(monthOf(r.day), sum);
  }
  return byMonth;
}
