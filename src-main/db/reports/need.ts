/**
 * Need: top issues and issues by category (people and presentations). Whole-month periods without a
 * sector filter come from report_month_counts (by issue code, at the issue, category and filter
 * levels); a period from a month's first day to a day inside a later month, from its whole months
 * there plus its last part-month from report_issue_facts; any other period, and a sector, from
 * report_issue_facts by day (the monthly summary has no sector × issue key).
 *
 * A period starting mid-month cannot be split that way: a person counts once, at their first
 * presentation on or after the start, and the monthly summary records the month of the previous
 * presentation, not its day, so it cannot tell whether that previous one fell before the start or
 * on a day of the first month after it (bench/RESULTS.md, issue 17).
 */
import { daysBefore, firstDayOfMonth, monthOf, type CountPair, type NeedReport, type ReportFilter } from '../../core/reports.ts';
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

/**
 * The same from report_issue_facts, by day: any period, and a sector filter. `since` is the day a
 * person's first presentation is counted from (the period's start, or an earlier start when this
 * is the last part of a longer period).
 */
function needByIssueFromFacts(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter, since = filter.from): NeedIssueRow[] {
  const scope = issueScope(filter, taxonomy, { dates: 'period' });
  scope.params.since = since;
  // One pass: per issue, its presentations and the first-in-period flags at each level.
  // Without a sector filter, rows come in code order from the code index; with one, the sector's
  // few rows are read through the sector index and sorted.
  const source = filter.sector === null ? byCodeSource(filter, scope.where) : { with: '', from: 'report_issue_facts f', where: scope.where };
  return prepare(
    sqlite,
    `${source.with}
     SELECT f.issue_code AS code, COUNT(*) AS presentations,
            SUM(${firstSince('code', filter.remit, '@since')}) AS people,
            SUM(${firstSince(categoryLevel(filter), filter.remit, '@since')}) AS categoryPeople,
            SUM(${firstSince(filterLevel(filter), filter.remit, '@since')}) AS totalPeople
     FROM ${source.from} WHERE ${source.where} GROUP BY f.issue_code`,
  ).all(scope.params) as NeedIssueRow[];
}

/**
 * A period from a month's first day to a day before a later month's end: its whole months from the
 * monthly summary (people whose previous presentation is before the start, exact as the start is a
 * 1st) plus the last part-month from the facts, counting people first seen since the same start.
 * Each person's first presentation falls in exactly one of the two parts, so the sums are exact.
 */
function needByIssueInParts(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): NeedIssueRow[] {
  const lastPartStart = firstDayOfMonth(monthOf(filter.to));
  const byCode = new Map<string, NeedIssueRow>();
  const parts = [
    needByIssueFromMonths(sqlite, taxonomy, { ...filter, to: daysBefore(lastPartStart, 1) }),
    needByIssueFromFacts(sqlite, taxonomy, { ...filter, from: lastPartStart }, filter.from),
  ];
  for (const row of parts.flat()) {
    const sum = byCode.get(row.code);
    if (!sum) byCode.set(row.code, { ...row });
    else {
      sum.presentations += row.presentations;
      sum.people += row.people;
      sum.categoryPeople += row.categoryPeople;
      sum.totalPeople += row.totalPeople;
    }
  }
  return [...byCode.values()];
}

/** Where need's counts come from for a filter (see the top of this file). */
function needByIssue(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): NeedIssueRow[] {
  if (filter.sector !== null) return needByIssueFromFacts(sqlite, taxonomy, filter);
  if (wholeMonths(filter)) return needByIssueFromMonths(sqlite, taxonomy, filter);
  if (filter.from.endsWith('-01') && monthOf(filter.from) < monthOf(filter.to)) return needByIssueInParts(sqlite, taxonomy, filter);
  return needByIssueFromFacts(sqlite, taxonomy, filter);
}

export function needReport(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): NeedReport {
  const issues = new Map(taxonomy.issues.map((i) => [i.code, i]));
  const byIssue = needByIssue(sqlite, taxonomy, filter);
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
