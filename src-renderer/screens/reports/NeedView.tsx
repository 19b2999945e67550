/** Need: top issues (people and presentations), issues by category, and the month-by-month trend against the year before. */
import { addMonths, firstDayOfMonth, monthOf } from '../../../src-main/core/reports.ts';
import { useTaxonomy } from '../../use-taxonomy.ts';
import { ChartPanel } from '../../components/charts/ChartPanel.tsx';
import { SERIES_COLOURS, wrapLabel } from '../../components/charts/chartjs.ts';
import { asCallFilter, type ReportFilterState } from './filterStore.ts';
import { ReportStatus } from './ReportStatus.tsx';
import { formatDate } from '../../format.ts';
import { shown, useReport } from './useReport.ts';

const TOP_ISSUES_CHARTED = 12;
/** The trend always covers at least this many months, ending with the filter's last month. */
export const TREND_MONTHS = 24;

const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
function monthLabel(month: string): string {
  return monthFormat.format(new Date(month + '-01T00:00:00Z'));
}

/** The trend's filter: the chosen one, started earlier when needed so it spans TREND_MONTHS. */
export function trendFilter(filter: ReportFilterState): ReportFilterState {
  const earliest = firstDayOfMonth(addMonths(monthOf(filter.to), -(TREND_MONTHS - 1)));
  return { ...filter, from: filter.from < earliest ? filter.from : earliest };
}

/** A measure's line, then the same months a year earlier as a thinner dashed line in its colour. */
function withYearBefore(label: string, colour: string, data: number[], yearBefore: number[]) {
  return [
    { label, data, borderColor: colour, backgroundColor: colour, borderWidth: 2.5 },
    { label: `${label}, year before`, data: yearBefore, borderColor: colour, backgroundColor: '#ffffff', borderDash: [6, 4], borderWidth: 1.5 },
  ];
}

export function NeedView({ filter }: { filter: ReportFilterState }) {
  const taxonomy = useTaxonomy();
  const needState = useReport('reports.need', { filter: asCallFilter(filter) });
  const trendRange = trendFilter(filter);
  const trendState = useReport('reports.trend', { filter: asCallFilter(trendRange) });
  const need = shown(needState);
  const trend = shown(trendState);
  const categoryName = (code: string) => taxonomy.categories.find((c) => c.code === code)?.name ?? code;
  const subject = filter.issueCode
    ? (taxonomy.issues.find((i) => i.code === filter.issueCode)?.name ?? filter.issueCode)
    : filter.category
      ? categoryName(filter.category)
      : 'All issues';

  return (
    <div className={needState.status === 'loading' || trendState.status === 'loading' ? 'report-body stale' : 'report-body'}>
      <ReportStatus state={needState} what="the need report" />
      {need ? (
        <>
          <p className="headline">
            <strong>{need.totals.people.toLocaleString('en-GB')}</strong> people brought <strong>{need.totals.presentations.toLocaleString('en-GB')}</strong>{' '}
            issues between {formatDate(filter.from)} and {formatDate(filter.to)}.
          </p>
          <ChartPanel
            slug="top-issues"
            title="Top issues"
            description={`People and presentations (issues identified) in the period; the ${TOP_ISSUES_CHARTED} most common are charted, all are in the table.`}
            height={Math.max(260, Math.min(need.topIssues.length, TOP_ISSUES_CHARTED) * 40 + 60)}
            sortable
            chart={{
              type: 'bar',
              data: {
                labels: need.topIssues.slice(0, TOP_ISSUES_CHARTED).map((i) => wrapLabel(i.issueName)),
                datasets: [
                  { label: 'People', data: need.topIssues.slice(0, TOP_ISSUES_CHARTED).map((i) => i.people), backgroundColor: SERIES_COLOURS.people },
                  {
                    label: 'Presentations',
                    data: need.topIssues.slice(0, TOP_ISSUES_CHARTED).map((i) => i.presentations),
                    backgroundColor: SERIES_COLOURS.presentations,
                  },
                ],
              },
              options: { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
            }}
            table={{
              caption: 'Top issues in the period',
              columns: [{ label: 'Issue' }, { label: 'Category' }, { label: 'People', numeric: true }, { label: 'Presentations', numeric: true }],
              rows: need.topIssues.map((i) => [i.issueName, categoryName(i.category), i.people, i.presentations]),
            }}
          />
          <ChartPanel
            slug="categories"
            title="Issues by category"
            description="People with at least one issue in the category, and issues identified, in the period."
            height={Math.max(260, need.categories.length * 30 + 60)}
            sortable
            chart={{
              type: 'bar',
              data: {
                labels: need.categories.map((c) => wrapLabel(c.categoryName)),
                datasets: [
                  { label: 'People', data: need.categories.map((c) => c.people), backgroundColor: SERIES_COLOURS.people },
                  { label: 'Presentations', data: need.categories.map((c) => c.presentations), backgroundColor: SERIES_COLOURS.presentations },
                ],
              },
              options: { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
            }}
            table={{
              caption: 'Issues by category in the period',
              columns: [{ label: 'Category' }, { label: 'People', numeric: true }, { label: 'Presentations', numeric: true }],
              rows: need.categories.map((c) => [c.categoryName, c.people, c.presentations]),
            }}
          />
        </>
      ) : null}
      <ReportStatus state={trendState} what="the trend" />
      {trend ? (
        <ChartPanel
          slug="trend"
          title={`Month by month: ${subject}`}
          description={`Presentations and people each month from ${monthLabel(monthOf(trendRange.from))} to ${monthLabel(monthOf(trendRange.to))}, with the same month a year earlier as dashed lines.`}
          chart={{
            type: 'line',
            data: {
              labels: trend.points.map((p) => monthLabel(p.month)),
              datasets: [
                ...withYearBefore(
                  'Presentations',
                  SERIES_COLOURS.presentations,
                  trend.points.map((p) => p.presentations),
                  trend.points.map((p) => p.previousYearPresentations),
                ),
                ...withYearBefore(
                  'People',
                  SERIES_COLOURS.people,
                  trend.points.map((p) => p.people),
                  trend.points.map((p) => p.previousYearPeople),
                ),
              ],
            },
            options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, interaction: { mode: 'index', intersect: false } },
          }}
          table={{
            caption: `Month by month: ${subject}`,
            columns: [
              { label: 'Month' },
              { label: 'Presentations', numeric: true },
              { label: 'People', numeric: true },
              { label: 'A year before' },
              { label: 'Presentations then', numeric: true },
              { label: 'People then', numeric: true },
            ],
            rows: trend.points.map((p) => [p.month, p.presentations, p.people, p.previousYearMonth, p.previousYearPresentations, p.previousYearPeople]),
          }}
        />
      ) : null}
    </div>
  );
}
