/**
 * The area dashboard: need by sector × month (heat table with sector selection), top issues per
 * sector, each issue's trend with local events marked, coverage (how many organisations report on
 * each sector), need by deprivation decile, distinct people beside the plain sum, and the sector
 * map with a month slider. Every chart has its table (the shared ChartPanel).
 */
import { useState } from 'react';
import { toCsv } from '../../../src-main/core/csv.ts';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { useTaxonomy } from '../../use-taxonomy.ts';
import { ChartPanel } from '../../components/charts/ChartPanel.tsx';
import { SERIES_COLOURS, heatCellStyle, wrapLabel } from '../../components/charts/chartjs.ts';
import { DataTable } from '../../components/charts/DataTable.tsx';
import { Field } from '../../components/Field.tsx';
import { downloadText } from '../../download.ts';
import { CallStatus } from '../../components/CallStatus.tsx';
import { shown } from '../../use-call.ts';
import { AreaMap } from './AreaMap.tsx';
import { monthLabel, useAreaCall } from './common.tsx';
import { EVENT_MARKER_COLOUR, eventMarkersPlugin, eventPosition, type EventMarker } from './eventMarkers.ts';
import { OurAreaPanel, useSectorResidents } from './OurArea.tsx';
import { per1000 } from '../../../src-main/core/population.ts';

type SectorMonth = CallOutput<'area.needBySectorMonth'>;

const numberFormat = new Intl.NumberFormat('en-GB');
const n = (value: number) => numberFormat.format(value);

export function DashboardView({ hasBundles }: { hasBundles: boolean }) {
  const [allState] = useAreaCall('area.needBySectorMonth', {});
  const [ourAreaState, reloadOurArea] = useAreaCall('area.ourArea', {});
  const ourArea = shown(ourAreaState);
  // "Our area": the sector figures keep only the chosen local authorities' sectors.
  const inOurArea = ourArea?.authorities.length ? new Set(ourArea.sectors) : null;
  const everywhere = shown(allState);
  const all = everywhere && inOurArea ? everywhere.filter((r) => inOurArea.has(r.sector)) : everywhere;
  if (!hasBundles) {
    return (
      <p>
        No bundle has been imported yet. <a href="#/area/organisations">Trust the contributing organisations</a>, then{' '}
        <a href="#/area/import">import their bundles</a>.
      </p>
    );
  }
  return (
    <>
      <CallStatus state={allState} what="need by sector and month" />
      {ourArea ? <OurAreaPanel key={ourArea.authorities.map((a) => a.code).join(',')} ourArea={ourArea} onChanged={reloadOurArea} /> : null}
      <DistinctPeoplePanel />
      {all ? <SectorMonthPanel all={all} /> : null}
      {all ? <TopIssuesPanel all={all} /> : null}
      <IssueTrendPanel dataMonths={all ? [...new Set(all.map((r) => r.month))].sort() : []} />
      <CoveragePanel inOurArea={inOurArea} />
      <DecilePanel />
      {all ? <AreaMap need={all} /> : null}
    </>
  );
}

function DistinctPeoplePanel() {
  const [state] = useAreaCall('area.distinctPeople', {});
  const rows = shown(state);
  if (!rows) return <CallStatus state={state} what="distinct people" />;
  const records = rows.reduce((s, r) => s + r.records, 0);
  const distinct = rows.reduce((s, r) => s + r.distinctPeople, 0);
  const shared = rows.reduce((s, r) => s + r.sharedPeople, 0);
  const labels = rows.map((r) => `${r.district} ${r.quarter}`);
  // The chart sums districts per quarter (a person belongs to one district in a quarter); the table has each district.
  const quarters = [...new Set(rows.map((r) => r.quarter))].sort();
  const quarterSum = (quarter: string, key: 'records' | 'distinctPeople') => rows.filter((r) => r.quarter === quarter).reduce((t, r) => t + r[key], 0);
  return (
    <>
      <ul className="figures" data-testid="distinct-figures">
        <li>
          <span className="figure" data-testid="figure-records">
            {n(records)}
          </span>
          <span className="figure-label">people in the plain sum (each organisation counts its own clients)</span>
        </li>
        <li>
          <span className="figure" data-testid="figure-distinct">
            {n(distinct)}
          </span>
          <span className="figure-label">distinct people across organisations</span>
        </li>
        <li>
          <span className="figure" data-testid="figure-shared">
            {n(shared)}
          </span>
          <span className="figure-label">people seen by more than one organisation</span>
        </li>
      </ul>
      {rows.length === 0 ? (
        <p className="hint">
          No organisation has opted in to match keys, so people cannot be de-duplicated across organisations: the sums below may count someone once per
          organisation that helped them.
        </p>
      ) : (
        <ChartPanel
          slug="area-distinct-people"
          title="Distinct people beside the plain sum"
          description="The chart sums the districts in each quarter; the table has each postcode district and quarter. From the match keys of the organisations that opted in (a person counts once if any of their match keys agree). The gap is double counting: people more than one organisation saw. Like every published count, each organisation's rows per district and quarter are protected (its published count of people there, within 2 of the truth under cell-key perturbation), so these figures are close, not exact."
          height={280}
          sortable
          chart={{
            type: 'bar',
            data: {
              labels: quarters,
              datasets: [
                { label: 'Plain sum', data: quarters.map((q) => quarterSum(q, 'records')), backgroundColor: SERIES_COLOURS.presentations },
                { label: 'Distinct people', data: quarters.map((q) => quarterSum(q, 'distinctPeople')), backgroundColor: SERIES_COLOURS.people },
              ],
            },
            options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
          }}
          table={{
            caption: 'Distinct people by postcode district and quarter',
            columns: [
              { label: 'District and quarter' },
              { label: 'Plain sum', numeric: true },
              { label: 'Distinct people', numeric: true },
              { label: 'Seen by 2+ organisations', numeric: true },
              { label: 'Organisations', numeric: true },
            ],
            rows: rows.map((r, i) => [labels[i]!, r.records, r.distinctPeople, r.sharedPeople, r.organisations]),
          }}
        />
      )}
    </>
  );
}

function SectorMonthPanel({ all }: { all: SectorMonth }) {
  const sectors = [...new Set(all.map((r) => r.sector))].sort((a, b) => a.localeCompare(b, 'en-GB', { numeric: true }));
  const [chosen, setChosen] = useState<string[] | null>(null);
  const [measure, setMeasure] = useState<'presentations' | 'people'>('presentations');
  const [perResidents, setPerResidents] = useState(false);
  const selected = chosen ?? sectors;
  const inView = new Set(selected);
  // The selection is sent to the main process (empty = none chosen, so nothing is asked for).
  const [state] = useAreaCall('area.needBySectorMonth', chosen === null ? {} : { sectors: chosen.slice(0, 500) });
  const rows = chosen !== null && chosen.length === 0 ? [] : (shown(state) ?? []).filter((r) => inView.has(r.sector));
  const { residents, year } = useSectorResidents(sectors.filter((s) => s !== 'unknown'));
  const rate = (count: number, sector: string) => per1000(count, residents.get(sector));
  const rateText = (value: number | null) => (value === null ? '–' : value.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
  const months = [...new Set(all.map((r) => r.month))].sort();
  const bySector = new Map<string, Map<string, SectorMonth[number]>>();
  for (const r of rows) {
    if (!bySector.has(r.sector)) bySector.set(r.sector, new Map());
    bySector.get(r.sector)!.set(r.month, r);
  }
  const tableSectors = selected.filter((s) => bySector.has(s));
  const cellValue = (r: SectorMonth[number]) => (perResidents ? (rate(r[measure], r.sector) ?? 0) : r[measure]);
  const max = Math.max(0, ...rows.map(cellValue));
  const totalOf = (s: string) => [...bySector.get(s)!.values()].reduce((t, r) => t + r[measure], 0);
  const residentsLabel = `Residents (${year ?? 'no population data'})`;
  const toggle = (sector: string) => setChosen(selected.includes(sector) ? selected.filter((s) => s !== sector) : [...selected, sector]);
  const csv = () =>
    toCsv(
      ['Sector', residentsLabel, `Total ${measure}`, `${measure} per 1,000 residents`, ...months, 'Suppressed'],
      tableSectors.map((s) => [
        s,
        residents.get(s) ?? null,
        totalOf(s),
        rate(totalOf(s), s),
        ...months.map((m) => {
          const cell = bySector.get(s)!.get(m);
          return cell ? cellValue(cell) : 0;
        }),
        [...bySector.get(s)!.values()].reduce((t, r) => t + r.suppressed, 0),
      ]),
    );

  return (
    <figure className="chart-panel" data-testid="panel-area-sector-month" aria-labelledby="area-sector-month-title">
      <div className="chart-panel-head">
        <h2 id="area-sector-month-title">Need by sector and month</h2>
        <div className="actions chart-actions">
          <label className="inline-label">
            Count
            <select value={measure} onChange={(e) => setMeasure(e.target.value as 'presentations' | 'people')}>
              <option value="presentations">Presentations</option>
              <option value="people">People (once per category)</option>
            </select>
          </label>
          <label className="inline-label">
            Show as
            <select value={perResidents ? 'rate' : 'count'} onChange={(e) => setPerResidents(e.target.value === 'rate')}>
              <option value="count">Counts</option>
              <option value="rate">Per 1,000 residents</option>
            </select>
          </label>
          <button type="button" onClick={() => downloadText(`needmap-area-sector-month-${measure}.csv`, csv(), 'text/csv;charset=utf-8')}>
            Download CSV<span className="visually-hidden"> of need by sector and month</span>
          </button>
        </div>
      </div>
      <p className="hint">
        Summed across organisations. Darker cells hold more; every cell shows its number. A cell marked * includes a contribution an organisation suppressed at
        source (too small to publish), so the true figure is a little higher. Per 1,000 residents: against the sector’s residents (
        {year ?? 'no population data'} ONS estimates per neighbourhood, shared among sectors by their postcodes); “–” where they are not known.
      </p>
      <details className="sector-chooser">
        <summary>Sectors shown: {selected.length === sectors.length ? `all ${sectors.length}` : `${selected.length} of ${sectors.length}`}</summary>
        <fieldset>
          <legend>Choose the sectors to show</legend>
          <div className="actions">
            <button type="button" onClick={() => setChosen(null)}>
              All sectors
            </button>
            <button type="button" onClick={() => setChosen([])}>
              None
            </button>
          </div>
          <div className="sector-checkboxes">
            {sectors.map((s) => (
              <label key={s} className="checkbox">
                <input type="checkbox" checked={selected.includes(s)} onChange={() => toggle(s)} />
                {s}
              </label>
            ))}
          </div>
        </fieldset>
      </details>
      <CallStatus state={state} what="the chosen sectors" />
      <div className="table-scroll heat-scroll" tabIndex={0} role="region" aria-label="Sector by month table">
        <table className="data-table heat-table" data-testid="area-heat-table">
          <caption>
            {measure === 'presentations' ? 'Presentations' : 'People'}
            {perResidents ? ` per 1,000 residents (${year ?? 'no population data'})` : ''} by postcode sector and month, all organisations
          </caption>
          <thead>
            <tr>
              <th scope="col">Sector</th>
              <th scope="col" className="num">
                {residentsLabel}
              </th>
              <th scope="col" className="num">
                Total
              </th>
              <th scope="col" className="num">
                Total per 1,000 residents
              </th>
              {months.map((m) => (
                <th key={m} scope="col" className="num">
                  {monthLabel(m)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {tableSectors.length === 0 ? (
              <tr>
                <td colSpan={months.length + 4}>No sector chosen.</td>
              </tr>
            ) : null}
            {tableSectors.map((s) => (
              <tr key={s}>
                <th scope="row">{s}</th>
                <td className="num">{residents.get(s) ? n(residents.get(s)!) : '–'}</td>
                <td className="num total">{n(totalOf(s))}</td>
                <td className="num">{rateText(rate(totalOf(s), s))}</td>
                {months.map((m) => {
                  const cell = bySector.get(s)!.get(m);
                  const v = cell ? cellValue(cell) : 0;
                  return (
                    <td key={m} className="num heat" style={heatCellStyle(v, max)}>
                      {perResidents ? (residents.get(s) ? rateText(v) : '–') : n(v)}
                      {cell && cell.suppressed > 0 ? <abbr title={`${cell.suppressed} suppressed contributions`}>*</abbr> : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

function TopIssuesPanel({ all }: { all: SectorMonth }) {
  const taxonomy = useTaxonomy();
  const totals = new Map<string, number>();
  for (const r of all) totals.set(r.sector, (totals.get(r.sector) ?? 0) + r.presentations);
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const [chosen, setChosen] = useState<string | null>(null);
  const sector = chosen ?? ranked[0]?.[0] ?? null;
  const [state] = useAreaCall('area.topIssues', sector ? { limit: 10, sectors: [sector] } : null);
  const rows = (shown(state) ?? []).filter((r) => r.sector === sector);
  const issueName = (code: string) => taxonomy.issues.find((i) => i.code === code)?.name ?? code;
  if (!sector) return null;
  return (
    <>
      <div className="row area-controls">
        <Field label="Top issues in sector" hint="Sectors with most presentations first.">
          {(p) => (
            <select {...p} value={sector} onChange={(e) => setChosen(e.target.value)}>
              {ranked.map(([s, total]) => (
                <option key={s} value={s}>
                  {s} ({n(total)} presentations)
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <CallStatus state={state} what="the top issues" />
      <ChartPanel
        slug="area-top-issues"
        title={`Top issues in ${sector}`}
        description="Presentations summed across organisations over every quarter imported; the ten most common issues. “Suppressed” counts contributions an organisation held back as too small to publish (left out of the sum)."
        height={Math.max(240, rows.length * 36 + 60)}
        sortable
        chart={{
          type: 'bar',
          data: {
            labels: rows.map((r) => wrapLabel(issueName(r.issue))),
            datasets: [{ label: 'Presentations', data: rows.map((r) => r.presentations), backgroundColor: SERIES_COLOURS.presentations }],
          },
          options: { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
        }}
        table={{
          caption: `Top issues in ${sector}`,
          columns: [{ label: 'Issue' }, { label: 'Rank', numeric: true }, { label: 'Presentations', numeric: true }, { label: 'Suppressed', numeric: true }],
          rows: rows.map((r) => [issueName(r.issue), r.rank, r.presentations, r.suppressed]),
        }}
      />
    </>
  );
}

function IssueTrendPanel({ dataMonths }: { dataMonths: string[] }) {
  const taxonomy = useTaxonomy();
  // The issues worth offering: those anywhere in the area's top ten.
  const [topState] = useAreaCall('area.topIssues', { limit: 10 });
  const totals = new Map<string, number>();
  for (const r of shown(topState) ?? []) totals.set(r.issue, (totals.get(r.issue) ?? 0) + r.presentations);
  const issues = [...totals].sort((a, b) => b[1] - a[1]).map(([code]) => code);
  const [chosen, setChosen] = useState<string | null>(null);
  const issue = chosen ?? issues[0] ?? null;
  const [state] = useAreaCall('area.issueTrend', issue ? { issue } : null);
  const trend = shown(state);
  const issueName = (code: string) => taxonomy.issues.find((i) => i.code === code)?.name ?? code;
  if (!issue) return <CallStatus state={topState} what="the issues" />;

  // Every month with data anywhere in the area, so a month without this issue shows as 0, not a gap.
  const byMonth = new Map((trend?.points ?? []).map((p) => [p.month, p]));
  const months = [...new Set([...dataMonths, ...byMonth.keys()])].sort();
  const points = months.map((month) => byMonth.get(month) ?? { month, presentations: 0, suppressed: 0 });
  const markers: (EventMarker & { onChart: boolean })[] = (trend?.events ?? []).map((e, i) => ({
    number: i + 1,
    date: e.date,
    title: e.title,
    onChart: eventPosition(months, e.date) !== null,
  }));
  const eventsIn = (month: string) =>
    markers
      .filter((m) => m.date.startsWith(month))
      .map((m) => `${m.number}. ${m.title} (${m.date})`)
      .join('; ');
  return (
    <>
      <div className="row area-controls">
        <Field label="Trend of issue" hint="Issues among the area’s most common.">
          {(p) => (
            <select {...p} value={issue} onChange={(e) => setChosen(e.target.value)}>
              {(issues.includes(issue) ? issues : [issue, ...issues]).map((code) => (
                <option key={code} value={code}>
                  {issueName(code)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <CallStatus state={state} what="the trend" />
      {trend ? (
        <>
          <ChartPanel
            // Rebuilt when the events change (the panel otherwise redraws only on new data).
            key={`${issue}:${markers.map((m) => `${m.date}/${m.title}`).join('|')}`}
            slug="area-issue-trend"
            title={`Month by month: ${issueName(issue)}`}
            description="Presentations each month across the area, all organisations. Dashed numbered lines mark local events (listed under the chart). “Suppressed” counts contributions an organisation held back as too small to publish (left out of the sum)."
            chart={{
              type: 'line',
              data: {
                labels: months.map(monthLabel),
                datasets: [
                  {
                    label: 'Presentations',
                    data: points.map((p) => p.presentations),
                    borderColor: SERIES_COLOURS.presentations,
                    backgroundColor: SERIES_COLOURS.presentations,
                    borderWidth: 2.5,
                  },
                ],
              },
              options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, layout: { padding: { top: 4 } } },
              plugins: [
                eventMarkersPlugin(
                  months,
                  markers.filter((m) => m.onChart),
                ),
              ],
            }}
            table={{
              caption: `Month by month: ${issueName(issue)}`,
              columns: [{ label: 'Month' }, { label: 'Presentations', numeric: true }, { label: 'Suppressed', numeric: true }, { label: 'Events' }],
              rows: points.map((p) => [p.month, p.presentations, p.suppressed, eventsIn(p.month) || null]),
            }}
          />
          {markers.length > 0 ? (
            <ol className="event-marker-list" data-testid="event-markers" aria-label="Local events marked on the trend">
              {markers.map((m) => (
                <li key={m.number}>
                  <span className="event-flag" style={{ background: EVENT_MARKER_COLOUR }} aria-hidden="true">
                    {m.number}
                  </span>
                  <time dateTime={m.date}>{m.date}</time> {m.title}
                  {m.onChart ? null : <span className="hint"> (outside the months imported)</span>}
                </li>
              ))}
            </ol>
          ) : (
            <p className="hint">
              No local events recorded yet: <a href="#/area/events">add one</a> to see it marked here.
            </p>
          )}
        </>
      ) : null}
    </>
  );
}

function CoveragePanel({ inOurArea }: { inOurArea: Set<string> | null }) {
  const [state] = useAreaCall('area.coverage', {});
  const rows = shown(state)?.filter((r) => !inOurArea || inOurArea.has(r.sector));
  if (!rows) return <CallStatus state={state} what="coverage" />;
  const histogram = new Map<number, number>();
  for (const r of rows) histogram.set(r.organisations, (histogram.get(r.organisations) ?? 0) + 1);
  const counts = [...histogram].sort((a, b) => a[0] - b[0]);
  const thin = rows.filter((r) => r.organisations <= 1).length;
  return (
    <>
      <ChartPanel
        slug="area-coverage"
        title="Coverage: organisations reporting on each sector"
        description={`Where few organisations report, we know little. ${thin} of ${rows.length} sectors are covered by one organisation only. Every sector is in the table below.`}
        height={240}
        chart={{
          type: 'bar',
          data: {
            labels: counts.map(([orgs]) => `${orgs} ${orgs === 1 ? 'organisation' : 'organisations'}`),
            datasets: [{ label: 'Sectors', data: counts.map(([, sectors]) => sectors), backgroundColor: SERIES_COLOURS.people }],
          },
          options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
        }}
        table={{
          caption: 'Sectors by how many organisations report on them',
          columns: [{ label: 'Organisations reporting' }, { label: 'Sectors', numeric: true }],
          rows: counts.map(([orgs, sectors]) => [orgs, sectors]),
        }}
      />
      <DataTable
        className="coverage-table"
        sortable
        table={{
          caption: 'Organisations reporting on each sector (fewest first)',
          columns: [{ label: 'Sector' }, { label: 'Organisations', numeric: true }],
          rows: rows.map((r) => [r.sector, r.organisations]),
        }}
      />
    </>
  );
}

const EDITION_LABELS: Record<string, string> = {
  iod2019: 'IoD2019',
  iod2025: 'IoD2025',
  unstated: 'Edition not stated (older bundles)',
};
const EDITION_COLOURS = [SERIES_COLOURS.presentations, SERIES_COLOURS.people, SERIES_COLOURS.previous];

/** Need by decile band, each edition of the Indices its own series: bands of different editions rank neighbourhoods differently, so they are never added. */
function DecilePanel() {
  const taxonomy = useTaxonomy();
  const [state] = useAreaCall('area.needByDecile', {});
  const rows = shown(state);
  if (!rows) return <CallStatus state={state} what="need by deprivation" />;
  const editions = [...new Set(rows.map((r) => r.edition).filter((e): e is string => e !== null))].sort();
  const bands = [...new Set(rows.filter((r) => r.edition !== null).map((r) => r.decileBand))].sort((a, b) => a.localeCompare(b, 'en-GB', { numeric: true }));
  const of = (edition: string | null, band: string) => rows.filter((r) => r.edition === edition && r.decileBand === band);
  const sumBy = (edition: string | null, band: string, key: 'presentations' | 'suppressed') => of(edition, band).reduce((s, r) => s + r[key], 0);
  const top = (edition: string | null, band: string) => {
    const best = of(edition, band).sort((a, b) => b.presentations - a.presentations)[0];
    return best ? (taxonomy.categories.find((c) => c.code === best.category)?.name ?? best.category) : null;
  };
  const editionLabel = (edition: string) => EDITION_LABELS[edition] ?? edition;
  const unknown = of(null, 'unknown').length > 0;
  const tableRows = [...editions.flatMap((e) => bands.map((b) => [e, b] as const)), ...(unknown ? [[null, 'unknown'] as const] : [])];
  return (
    <ChartPanel
      slug="area-deciles"
      title="Need against deprivation decile"
      description="Presentations by the Index of Multiple Deprivation decile of where people live (1 = most deprived tenth of England), in bands of two deciles, all months and organisations. Each edition of the Indices (IoD2019, IoD2025) is shown on its own: they rank neighbourhoods differently, so their bands are never added together. “Suppressed” counts contributions an organisation held back as too small to publish (left out of the sum)."
      height={280}
      chart={{
        type: 'bar',
        data: {
          labels: [...bands.map((b) => b.replace('-', '–')), ...(unknown ? ['Decile not known'] : [])],
          datasets: [
            ...editions.map((e, i) => ({
              label: editionLabel(e),
              data: [...bands.map((b) => sumBy(e, b, 'presentations')), ...(unknown ? [0] : [])],
              backgroundColor: EDITION_COLOURS[i % EDITION_COLOURS.length]!,
            })),
            ...(unknown
              ? [
                  {
                    label: 'Decile not known',
                    data: [...bands.map(() => 0), sumBy(null, 'unknown', 'presentations')],
                    backgroundColor: SERIES_COLOURS.expected,
                  },
                ]
              : []),
          ],
        },
        options: {
          scales: {
            x: { title: { display: true, text: 'IMD decile band (1 = most deprived), by edition' } },
            y: { beginAtZero: true, ticks: { precision: 0 } },
          },
        },
      }}
      table={{
        caption: 'Presentations by deprivation decile band, each edition of the Indices apart',
        columns: [
          { label: 'Edition' },
          { label: 'Decile band' },
          { label: 'Presentations', numeric: true },
          { label: 'Suppressed', numeric: true },
          { label: 'Largest category' },
        ],
        rows: tableRows.map(([e, b]) => [
          e === null ? '—' : editionLabel(e),
          b === 'unknown' ? 'Not known' : b.replace('-', '–'),
          sumBy(e, b, 'presentations'),
          sumBy(e, b, 'suppressed'),
          top(e, b),
        ]),
      }}
    />
  );
}
