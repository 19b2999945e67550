/**
 * Deciles: people and presentations by the deprivation decile of the client's neighbourhood.
 * Whole-month periods with no filter but remit come from report_month_counts (by decile); any other
 * period or filter from report_issue_facts by day (the monthly summary keys deciles alone).
 */
import { decileRows, type DecileReport, type ReportFilter } from '../../core/reports.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { SqliteDatabase } from '../open.ts';
import { firstSince, issueScope } from './issue-facts.ts';
import { periodCounts, wholeMonths } from './month-counts.ts';
import { filterLevel, prepare, type CountRow } from './query.ts';

export function decileReport(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): DecileReport {
  const counted =
    filter.category === null && filter.issueCode === null && filter.sector === null && wholeMonths(filter)
      ? periodCounts(sqlite, filter, ['decile~any'], {}).map((r) => ({
          decile: r.key1 === '' ? null : Number(r.key1),
          people: r.people,
          presentations: r.presentations,
        }))
      : decilesFromFacts(sqlite, taxonomy, filter);
  const { rows, knownPeople, mostDeprivedShare } = decileRows(counted);
  const totals = counted.reduce((t, r) => ({ people: t.people + r.people, presentations: t.presentations + r.presentations }), {
    people: 0,
    presentations: 0,
  });
  return { filter, totals, deciles: rows, knownPeople, mostDeprivedShare, expectedMostDeprivedShare: 0.2 };
}

/** People and presentations per decile from report_issue_facts, by day: any period, and every filter. */
function decilesFromFacts(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): (CountRow & { decile: number | null })[] {
  const scope = issueScope(filter, taxonomy, { dates: 'period' });
  const select = `SELECT f.imd_decile AS decile, COUNT(*) AS presentations,
            SUM(${firstSince(filterLevel(filter), filter.remit, '@from')}) AS people`;
  // Unfiltered (or by remit only), rows come by decile from the decile index, one seek per decile
  // and one for unknown; other filters narrow the rows enough for the general plan.
  const decileIndexCovers = filter.category === null && filter.issueCode === null && filter.sector === null;
  return prepare(
    sqlite,
    decileIndexCovers
      ? `${select} FROM report_issue_facts f INDEXED BY report_issue_facts_decile_idx
         WHERE f.imd_decile IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AND ${scope.where} GROUP BY 1
         UNION ALL
         ${select} FROM report_issue_facts f INDEXED BY report_issue_facts_decile_idx
         WHERE f.imd_decile IS NULL AND ${scope.where} GROUP BY 1`
      : `${select} FROM report_issue_facts f WHERE ${scope.where} GROUP BY 1`,
  ).all(scope.params) as (CountRow & { decile: number | null })[];
}
