/**
 * Need: top issues and issues by category (people and presentations). Whole-month periods without a
 * sector filter come from report_month_counts (by issue code, at the issue, category and filter
 * levels); any other period, and a sector, from report_issue_facts by day (the monthly summary has
 * no sector × issue key).
 */
import type { CountPair, NeedReport, ReportFilter } from '../../core/reports.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { SqliteDatabase } from '../open.ts';
import { byCodeSource, firstSince, issueScope } from './issue-facts.ts';
import { CODE_KIND, periodCounts, wholeMonths } from './month-counts.ts';
import { byPeopleThenName, categoryKeyOf, categoryLevel, categoryName, categoryOfCode, filterLevel, prepare, type CountRow } from './query.ts';

type NeedIssueRow = CountRow & { code: string; categoryPeople: number; totalPeople: number };

/** Per issue code: presentations and people at the issue, category and filter levels, from the monthly summary. */
function needByIssueFromMonths(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): NeedIssueRow[] {
  const kinds = { issue: CODE_KIND.code, category: CODE_KIND[categoryLevel(filter)], total: CODE_KIND[filterLevel(filter)] };
  const keys =
    filter.issueCode !== null ? { key1: filter.issueCode } : filter.category !== null ? { key1Prefix: categoryKeyOf(taxonomy, filter.category) } : {};
  const byCode = new Map<string, NeedIssueRow>();
  const rows = periodCounts(sqlite, filter, [...new Set(Object.values(kinds))], keys);
  for (const r of rows) {
    const row = byCode.get(r.key1) ?? { code: r.key1, presentations: r.presentations, people: 0, categoryPeople: 0, totalPeople: 0 };
    if (r.kind === kinds.issue) row.people = r.people;
    if (r.kind === kinds.category) row.categoryPeople = r.people;
    if (r.kind === kinds.total) row.totalPeople = r.people;
    byCode.set(r.key1, row);
  }
  return [...byCode.values()];
}

/** The same from report_issue_facts, by day: any period, and a sector filter. */
function needByIssueFromFacts(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): NeedIssueRow[] {
  const scope = issueScope(filter, taxonomy, { dates: 'period' });
  // One pass: per issue, its presentations and the first-in-period flags at each level.
  // Without a sector filter, rows come in code order from the code index; with one, the sector's
  // few rows are read through the sector index and sorted.
  const source = filter.sector === null ? byCodeSource(filter, scope.where) : { with: '', from: 'report_issue_facts f', where: scope.where };
  return prepare(
    sqlite,
    `${source.with}
     SELECT f.issue_code AS code, COUNT(*) AS presentations,
            SUM(${firstSince('code', filter.remit, '@from')}) AS people,
            SUM(${firstSince(categoryLevel(filter), filter.remit, '@from')}) AS categoryPeople,
            SUM(${firstSince(filterLevel(filter), filter.remit, '@from')}) AS totalPeople
     FROM ${source.from} WHERE ${source.where} GROUP BY f.issue_code`,
  ).all(scope.params) as NeedIssueRow[];
}

export function needReport(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): NeedReport {
  const issues = new Map(taxonomy.issues.map((i) => [i.code, i]));
  const byIssue =
    filter.sector === null && wholeMonths(filter) ? needByIssueFromMonths(sqlite, taxonomy, filter) : needByIssueFromFacts(sqlite, taxonomy, filter);
  const totals: CountPair = { people: 0, presentations: 0 };
  const categories = new Map<string, CountPair>();
  for (const r of byIssue) {
    totals.people += r.totalPeople;
    totals.presentations += r.presentations;
    const category = categoryOfCode(taxonomy, r.code);
    const sum = categories.get(category) ?? { people: 0, presentations: 0 };
    sum.people += r.categoryPeople;
    sum.presentations += r.presentations;
    categories.set(category, sum);
  }
  return {
    filter,
    totals,
    topIssues: byIssue
      .map((r) => ({
        issueCode: r.code,
        issueName: issues.get(r.code)?.name ?? r.code,
        category: categoryOfCode(taxonomy, r.code),
        people: r.people,
        presentations: r.presentations,
      }))
      .sort((a, b) => byPeopleThenName(a, b, a.issueName, b.issueName)),
    categories: [...categories]
      .map(([category, c]) => ({ category, categoryName: categoryName(taxonomy, category), ...c }))
      .sort((a, b) => byPeopleThenName(a, b, a.categoryName, b.categoryName)),
  };
}
