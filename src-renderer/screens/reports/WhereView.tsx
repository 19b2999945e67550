/**
 * Where: people or presentations by postcode sector and category, as a sortable heat table.
 * Clients without a sector are a visible "unknown" row, never dropped.
 */
import { useState } from 'react';
import { toCsv } from '../../../src-main/core/csv.ts';
import { per1000 } from '../../../src-main/core/population.ts';
import { UNKNOWN_SECTOR } from '../../../src-main/core/reports.ts';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { heatCellStyle } from '../../components/charts/chartjs.ts';
import { downloadText } from '../../download.ts';
import { asCallFilter, type ReportFilterState } from './filterStore.ts';
import { ReportStatus } from './ReportStatus.tsx';
import { shown, useReport } from './useReport.ts';

type Where = CallOutput<'reports.where'>;
export type Measure = 'people' | 'presentations';

export function sectorLabel(sector: string): string {
  return sector === UNKNOWN_SECTOR ? 'Unknown (no postcode sector)' : sector;
}

interface HeatRow {
  sector: string;
  known: boolean;
  total: number;
  residents: number | null;
  /** total per 1,000 residents, to one decimal place; null when residents are unknown. */
  rate: number | null;
  cells: number[];
}

function heatRows(where: Where, measure: Measure): HeatRow[] {
  return where.sectors.map((s) => ({
    sector: s.sector,
    known: s.known,
    total: s[measure],
    residents: s.residents,
    rate: per1000(s[measure], s.residents),
    cells: where.categories.map((c) => s.byCategory[c.code]?.[measure] ?? 0),
  }));
}

/** "Residents (mid-2020)": the population year, stated wherever a rate is shown. */
export function residentsLabel(where: Pick<Where, 'population'>): string {
  return where.population.year ? `Residents (${where.population.year})` : 'Residents';
}

export function whereCsv(where: Where, measure: Measure): string {
  return toCsv(
    ['Sector', `Total ${measure}`, residentsLabel(where), `${measure} per 1,000 residents`, ...where.categories.map((c) => c.name)],
    heatRows(where, measure).map((r) => [sectorLabel(r.sector), r.total, r.residents, r.rate, ...r.cells]),
  );
}

const rateText = (rate: number | null) => (rate === null ? '–' : rate.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 }));

/** Rows drawn at first: thousands of sectors × categories would hold the UI thread; the CSV always has all. */
const ROWS_SHOWN = 150;

export function WhereView({ filter }: { filter: ReportFilterState }) {
  const state = useReport('reports.where', { filter: asCallFilter(filter) });
  const where = shown(state);
  const [measure, setMeasure] = useState<Measure>('people');
  const [sort, setSort] = useState<{ column: number; descending: boolean }>({ column: 1, descending: true });
  const [showAll, setShowAll] = useState(false);

  const rows = where ? heatRows(where, measure) : [];
  // Columns: sector, total, residents, rate, then one per category.
  const valueOf = (r: HeatRow, column: number) =>
    column === 0 ? r.sector : column === 1 ? r.total : column === 2 ? (r.residents ?? -1) : column === 3 ? (r.rate ?? -1) : r.cells[column - 4]!;
  const sorted = [...rows].sort((a, b) => {
    // "Unknown" stays last whatever the order, so it is always found in the same place.
    if (a.known !== b.known) return a.known ? -1 : 1;
    const x = valueOf(a, sort.column);
    const y = valueOf(b, sort.column);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'en-GB', { numeric: true });
    return sort.descending ? -order : order;
  });
  const drawn = showAll || sorted.length <= ROWS_SHOWN ? sorted : [...sorted.slice(0, ROWS_SHOWN - 1), ...sorted.slice(-1).filter((r) => !r.known)];
  let max = 0;
  for (const r of rows) if (r.known) for (const v of r.cells) if (v > max) max = v;
  const unknown = rows.find((r) => !r.known);
  const headers = where ? ['Sector', 'Total', residentsLabel(where), 'Per 1,000 residents', ...where.categories.map((c) => c.name)] : [];

  return (
    <div className={state.status === 'loading' ? 'report-body stale' : 'report-body'}>
      <ReportStatus state={state} what="the sectors" />
      {where ? (
        <figure className="chart-panel" data-testid="panel-where" aria-labelledby="where-title">
          <div className="chart-panel-head">
            <h2 id="where-title">By postcode sector and category</h2>
            <div className="actions chart-actions">
              <label className="inline-label">
                Count
                <select value={measure} onChange={(e) => setMeasure(e.target.value as Measure)}>
                  <option value="people">People</option>
                  <option value="presentations">Presentations</option>
                </select>
              </label>
              <button type="button" onClick={() => downloadText(`needmap-where-${measure}.csv`, whereCsv(where, measure), 'text/csv;charset=utf-8')}>
                Download CSV<span className="visually-hidden"> of the sector table</span>
              </button>
            </div>
          </div>
          <p className="headline">
            {where.totals.people.toLocaleString('en-GB')} people from {rows.filter((r) => r.known).length} postcode sectors
            {unknown ? (
              <>
                {' '}
                — and <strong>{unknown.total.toLocaleString('en-GB')}</strong> {measure} with no known sector (the last row).
              </>
            ) : (
              '; every client has a known sector.'
            )}
          </p>
          <p className="hint">
            Darker cells hold more; every cell shows its number. A person with issues in two categories counts once in each, and once in the total. Choose a
            column heading to sort. Per 1,000 residents: the total against the sector’s residents ({where.population.year ?? 'no population data'} ONS estimates
            per neighbourhood, shared among sectors by their postcodes); “–” where the residents are not known.
          </p>
          <div className="table-scroll heat-scroll" tabIndex={0} role="region" aria-label="Sector by category table">
            <table className="data-table heat-table">
              <caption>{measure === 'people' ? 'People' : 'Presentations'} by postcode sector and category</caption>
              <thead>
                <tr>
                  {headers.map((h, i) => (
                    <th
                      key={h}
                      scope="col"
                      className={i > 0 ? 'num' : undefined}
                      aria-sort={sort.column === i ? (sort.descending ? 'descending' : 'ascending') : undefined}
                    >
                      <button
                        type="button"
                        className="sort-button"
                        onClick={() => setSort((s) => ({ column: i, descending: s.column === i ? !s.descending : i > 0 }))}
                      >
                        {h}
                        <span aria-hidden="true">{sort.column === i ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {sorted.length === 0 ? (
                  <tr>
                    <td colSpan={headers.length}>No records match these filters.</td>
                  </tr>
                ) : null}
                {drawn.map((r) => (
                  <tr key={r.sector} className={r.known ? undefined : 'unknown-row'}>
                    <th scope="row">{sectorLabel(r.sector)}</th>
                    <td className="num total">{r.total.toLocaleString('en-GB')}</td>
                    <td className="num">{r.residents === null ? '–' : r.residents.toLocaleString('en-GB')}</td>
                    <td className="num">{rateText(r.rate)}</td>
                    {r.cells.map((v, i) => (
                      // The unknown row is not shaded, as the scale's max leaves it out.
                      <td key={i} className="num heat" style={r.known ? heatCellStyle(v, max) : undefined}>
                        {v.toLocaleString('en-GB')}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {drawn.length < sorted.length ? (
            <p className="hint">
              Showing {drawn.length} of {sorted.length} sectors (the CSV has all of them).{' '}
              <button type="button" className="link-button" onClick={() => setShowAll(true)}>
                Show all {sorted.length} sectors
              </button>
            </p>
          ) : null}
        </figure>
      ) : null}
    </div>
  );
}
