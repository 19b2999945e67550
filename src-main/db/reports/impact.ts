/**
 * Impact for within-remit issues: the period's cohort and its outcomes, open at the end, open longer
 * than a threshold, and days to resolve. Open at the end = identified by the end − settled by the end,
 * so only settled issues are read: issues identified come from report_month_counts for whole months
 * (and from bare index ranges of report_issue_facts otherwise, or for an issue within one sector);
 * the settled ones from report_issue_facts' settled and changed-later indexes.
 */
import { daysBefore, firstDayOfMonth, monthOf, share, weightedMedian, type ImpactReport, type ReportFilter } from '../../core/reports.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { SqliteDatabase } from '../open.ts';
import { issueScope, type IssueScope } from './issue-facts.ts';
import { sectorKey, wholeMonths } from './month-counts.ts';
import { categoryKeyOf, prepare, type Params } from './query.ts';

/** The issue's status on @to, for an issue whose status changed after @to: the latest event by then. */
const STATUS_AT_END_FROM_EVENTS = `(SELECT e.status FROM issue_status_events e
    WHERE e.client_issue_id = f.issue_id AND e.changed_on <= @to
    ORDER BY e.changed_on DESC, e.id DESC LIMIT 1)`;

/** Sums over rows (identified_on, status at the end) of issues not open at the end, or improved. */
const SETTLED_SUMS = `COALESCE(SUM(status IN ('resolved', 'closed_unresolved')), 0) AS settled,
            COALESCE(SUM(status IN ('resolved', 'closed_unresolved') AND identified_on <= @olderThan), 0) AS settledOld,
            COALESCE(SUM(identified_on >= @from AND status = 'resolved'), 0) AS resolved,
            COALESCE(SUM(identified_on >= @from AND status = 'improved'), 0) AS improved,
            COALESCE(SUM(identified_on >= @from AND status = 'closed_unresolved'), 0) AS closedUnresolved`;

interface SettledCounts {
  settled: number;
  settledOld: number;
  resolved: number;
  improved: number;
  closedUnresolved: number;
}

interface IdentifiedCounts {
  untilEnd: number;
  cohort: number;
  untilOlderThan: number;
}

/**
 * Within-remit issues identified by the end, in the period, and by the "older than" cut-off. From the
 * monthly summary for whole-month periods (the cut-off's own month counted from the facts); from bare
 * ranges of the impact index otherwise, and for an issue within one sector (not a summary key).
 */
function identifiedCounts(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter, scope: IssueScope, olderThan: string): IdentifiedCounts {
  const countFacts = (extra: string) => `(SELECT COUNT(*) FROM report_issue_facts f INDEXED BY report_issue_facts_impact_idx WHERE ${scope.where}${extra})`;
  const params = { ...scope.params, olderThan, olderThanMonthStart: firstDayOfMonth(monthOf(olderThan)) };
  if (!wholeMonths(filter) || (filter.sector !== null && filter.issueCode !== null)) {
    return prepare(
      sqlite,
      `SELECT ${countFacts('')} AS untilEnd, ${countFacts(' AND f.identified_on >= @from')} AS cohort,
              ${countFacts(' AND f.identified_on <= @olderThan')} AS untilOlderThan`,
    ).get(params) as IdentifiedCounts;
  }
  const clauses = ['kind = @kind', 'scope = 1', 'month <= @toMonth'];
  const monthParams: Params = {
    toMonth: monthOf(filter.to),
    fromMonth: monthOf(filter.from),
    olderThanMonth: monthOf(olderThan),
    kind: filter.sector === null ? 'code' : filter.category === null ? 'sector~any' : 'sector~cat',
  };
  if (filter.sector !== null) {
    clauses.push('key1 = @sector');
    monthParams.sector = sectorKey(filter.sector);
    if (filter.category !== null) {
      clauses.push('key2 = @categoryKey');
      monthParams.categoryKey = categoryKeyOf(taxonomy, filter.category);
    }
  } else if (filter.issueCode !== null) {
    clauses.push('key1 = @issueCode');
    monthParams.issueCode = filter.issueCode;
  } else if (filter.category !== null) {
    clauses.push('substr(key1, 1, 3) = @categoryKey');
    monthParams.categoryKey = categoryKeyOf(taxonomy, filter.category);
  }
  const months = prepare(
    sqlite,
    `SELECT COALESCE(SUM(n), 0) AS untilEnd, COALESCE(SUM(CASE WHEN month >= @fromMonth THEN n END), 0) AS cohort,
            COALESCE(SUM(CASE WHEN month < @olderThanMonth THEN n END), 0) AS beforeOlderThanMonth
     FROM report_month_counts WHERE ${clauses.join(' AND ')}`,
  ).get(monthParams) as { untilEnd: number; cohort: number; beforeOlderThanMonth: number };
  const olderThanMonth = prepare(sqlite, `SELECT ${countFacts(' AND f.identified_on BETWEEN @olderThanMonthStart AND @olderThan')}`)
    .pluck()
    .get(params) as number;
  return { untilEnd: months.untilEnd, cohort: months.cohort, untilOlderThan: months.beforeOlderThanMonth + olderThanMonth };
}

export function impactReport(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter, openOlderThanDays: number): ImpactReport {
  const scope = issueScope(filter, taxonomy, { dates: 'untilEnd', forceWithinRemit: true });
  const olderThan = daysBefore(filter.to, openOlderThanDays);
  const params = { ...scope.params, olderThan };
  // Open at the end = identified by the end − settled (resolved or closed unresolved) by the end, so
  // only settled issues are read, and those by bare index ranges.
  const identified = identifiedCounts(sqlite, taxonomy, filter, scope, olderThan);
  // Status at the end: the current one when it was reached by then (the settled partial index, by
  // status), else the latest event by then (issues changed after the end: few for a recent end).
  const settledWith = (status: string, extra: string) =>
    `(SELECT COUNT(*) FROM report_issue_facts f INDEXED BY report_issue_facts_settled_status_idx
      WHERE ${scope.where} AND f.status = '${status}' AND f.status IN ('resolved', 'closed_unresolved', 'improved')
        AND f.status_changed_on <= @to${extra})`;
  const current = prepare(
    sqlite,
    `SELECT ${settledWith('resolved', '')} + ${settledWith('closed_unresolved', '')} AS settled,
            ${settledWith('resolved', ' AND f.identified_on <= @olderThan')} + ${settledWith('closed_unresolved', ' AND f.identified_on <= @olderThan')} AS settledOld,
            ${settledWith('resolved', ' AND f.identified_on >= @from')} AS resolved,
            ${settledWith('improved', ' AND f.identified_on >= @from')} AS improved,
            ${settledWith('closed_unresolved', ' AND f.identified_on >= @from')} AS closedUnresolved`,
  ).get(params) as SettledCounts;
  const changedLater = prepare(
    sqlite,
    `SELECT ${SETTLED_SUMS} FROM (
       SELECT f.identified_on, ${STATUS_AT_END_FROM_EVENTS} AS status
       FROM report_issue_facts f INDEXED BY report_issue_facts_changed_idx
       WHERE ${scope.where} AND f.status_changed_on > @to LIMIT -1)`,
  ).get(params) as SettledCounts;
  const settled = (key: keyof SettledCounts) => current[key] + changedLater[key];
  const counts = {
    cohort: identified.cohort,
    resolved: settled('resolved'),
    improved: settled('improved'),
    closedUnresolved: settled('closedUnresolved'),
    openAtEnd: identified.untilEnd - settled('settled'),
    openOlderThan: identified.untilOlderThan - settled('settledOld'),
  };
  // Days to resolve as a histogram: grouped by the two dates (in index order, no sort), so the date
  // arithmetic runs once per pair of dates rather than once per issue.
  const days = prepare(
    sqlite,
    `SELECT CAST(julianday(f.first_resolved_on) - julianday(f.identified_on) AS INTEGER) AS value, COUNT(*) AS count
     FROM report_issue_facts f INDEXED BY report_issue_facts_resolved_idx
     WHERE ${scope.where} AND f.identified_on >= @from AND f.first_resolved_on <= @to
     GROUP BY f.identified_on, f.first_resolved_on`,
  ).all(params) as { value: number; count: number }[];
  return {
    filter,
    ...counts,
    resolvedShare: share(counts.resolved, counts.cohort),
    improvedShare: share(counts.improved, counts.cohort),
    improvedOrResolvedShare: share(counts.resolved + counts.improved, counts.cohort),
    resolvedWithDays: days.reduce((sum, d) => sum + d.count, 0),
    medianDaysToResolve: weightedMedian(days),
    openOlderThanDays,
  };
}
