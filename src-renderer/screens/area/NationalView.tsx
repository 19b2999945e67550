/**
 * Local need against national assumptions (area.needVsIndices): for each sector and issue
 * category the Indices of Deprivation speak to, where its recorded share of need ranks among the
 * area's sectors against where the matching IoD domain would put it; largest disagreements first.
 */
import { useState } from 'react';
import { DOMAIN_LABELS, type DomainName } from '../../../src-main/core/deprivation.ts';
import { useTaxonomy } from '../../use-taxonomy.ts';
import { ChartPanel } from '../../components/charts/ChartPanel.tsx';
import { SERIES_COLOURS, wrapLabel } from '../../components/charts/chartjs.ts';
import { percent } from '../../components/charts/DataTable.tsx';
import { CallStatus } from '../../components/CallStatus.tsx';
import { shown } from '../../use-call.ts';
import { useAreaCall } from './common.tsx';

export function NationalView() {
  const taxonomy = useTaxonomy();
  const [minPresentations, setMinPresentations] = useState(20);
  const [state] = useAreaCall('area.needVsIndices', { limit: 20, minPresentations });
  const rows = shown(state);
  const categoryName = (code: string) => taxonomy.categories.find((c) => c.code === code)?.name ?? code;
  const label = (r: { sector: string; category: string }) => `${r.sector} · ${categoryName(r.category)}`;

  return (
    <>
      <div className="explainer">
        <p>
          National funding and planning often lean on the English Indices of Deprivation, which rank every neighbourhood on income, employment, health,
          education, crime and housing. Here each sector’s <strong>recorded</strong> need is set against what those indices would predict for it:
        </p>
        <ul>
          <li>
            <strong>Recorded need</strong>: the share of the sector’s presentations in a category (say money and debt), ranked among the area’s sectors — 0% the
            lowest share, 100% the highest.
          </li>
          <li>
            <strong>What the indices expect</strong>: the matching domain (income, for money and debt) averaged over the sector’s neighbourhoods, ranked the
            same way — 100% the most deprived. Domain deciles come from the English Indices of Deprivation 2025 (IoD2025), by each postcode’s 2021 neighbourhood
            (IoD2019 only where that is not known); Welsh sectors have none.
          </li>
          <li>
            <strong>Gap</strong>: recorded minus expected. A large positive gap means far more need is coming through the door than the national picture
            suggests (for example, much financial hardship in a sector ranked affluent); a large negative gap, far less — perhaps need that is not reaching
            services.
          </li>
        </ul>
        <p className="hint">
          It is a prompt for questions, not proof: a sector with few presentations, or served by one organisation with a particular specialism, can look unusual
          for that reason alone.
        </p>
      </div>
      <label className="inline-label national-min">
        Only sectors with at least
        <select value={minPresentations} onChange={(e) => setMinPresentations(Number(e.target.value))}>
          {[1, 2, 5, 10, 20, 50, 100].map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        presentations
      </label>
      <CallStatus state={state} what="local need against the indices" />
      {rows && rows.length === 0 ? (
        <p>
          No sector can be compared yet: none has this many published presentations in a category the indices cover, with deprivation data for its
          neighbourhoods. Try a lower minimum, or import more bundles.
        </p>
      ) : null}
      {rows && rows.length > 0 ? (
        <>
          <ul className="disagreements" data-testid="national-summaries">
            {rows.slice(0, 5).map((r) => (
              <li key={`${r.sector}/${r.category}`}>{r.summary}.</li>
            ))}
          </ul>
          <ChartPanel
            slug="area-need-vs-indices"
            title="Where recorded need and the national indices disagree most"
            description="Gap = rank of recorded need minus the rank the matching deprivation domain predicts, in percentage points; to the right, more need recorded than expected."
            height={Math.max(260, rows.length * 30 + 60)}
            sortable
            chart={{
              type: 'bar',
              data: {
                labels: rows.map((r) => wrapLabel(label(r), 30)),
                datasets: [
                  {
                    label: 'Gap (percentage points)',
                    data: rows.map((r) => Math.round(r.gap * 100)),
                    backgroundColor: rows.map((r) => (r.gap > 0 ? SERIES_COLOURS.presentations : SERIES_COLOURS.people)),
                  },
                ],
              },
              options: { indexAxis: 'y', scales: { x: { min: -100, max: 100, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } },
            }}
            table={{
              caption: 'Sectors where recorded need and the indices disagree most',
              columns: [
                { label: 'Sector' },
                { label: 'Category' },
                { label: 'Domain' },
                { label: 'Share of need', numeric: true, format: percent },
                { label: 'Recorded rank', numeric: true, format: percent },
                { label: 'Domain decile', numeric: true, format: (v) => (typeof v === 'number' ? v.toFixed(1) : '—') },
                { label: 'Expected rank', numeric: true, format: percent },
                { label: 'Gap', numeric: true, format: (v) => (typeof v === 'number' ? `${v > 0 ? '+' : ''}${Math.round(v * 100)}` : '—') },
              ],
              rows: rows.map((r) => [
                r.sector,
                categoryName(r.category),
                DOMAIN_LABELS[r.domain as DomainName] ?? r.domain,
                r.share,
                r.needPercentile,
                r.domainDecile,
                r.expectedPercentile,
                r.gap,
              ]),
            }}
          />
        </>
      ) : null}
    </>
  );
}
