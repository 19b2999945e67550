/**
 * Recorded need against national assumptions (area.needVsAssumptions): per sector and category,
 * presentations per 1,000 residents a year against what the sector's deprivation predicts from the
 * rates across the whole area, as a ratio with its 95% interval; furthest from the assumption first.
 */
import { useState } from 'react';
import { formatRatio } from '../../../src-main/core/area/change-words.ts';
import { useTaxonomy } from '../../use-taxonomy.ts';
import { ChartPanel } from '../../components/charts/ChartPanel.tsx';
import { SERIES_COLOURS, wrapLabel } from '../../components/charts/chartjs.ts';
import { CallStatus } from '../../components/CallStatus.tsx';
import { shown } from '../../use-call.ts';
import { useAreaCall } from './common.tsx';

export function NationalView() {
  const taxonomy = useTaxonomy();
  const [minResidents, setMinResidents] = useState(1000);
  const [state] = useAreaCall('area.needVsAssumptions', { limit: 20, minResidents });
  const answer = shown(state);
  const report = answer?.report ?? null;
  const categoryName = (code: string) => taxonomy.categories.find((c) => c.code === code)?.name ?? code;
  const label = (r: { sector: string; category: string }) => `${r.sector} · ${categoryName(r.category)}`;
  const rows = report?.rows ?? [];
  const far = rows.filter((r) => r.distance > 0);
  // A log axis wide enough for every interval, in whole powers of ten around 1.
  const axisMin = 10 ** Math.floor(Math.log10(Math.min(0.1, ...rows.map((r) => Math.max(r.lower, 0.001)))));
  const axisMax = 10 ** Math.ceil(Math.log10(Math.max(10, ...rows.map((r) => r.upper))));

  return (
    <>
      <div className="explainer">
        <p>
          Planning often assumes need follows deprivation. Here each sector’s <strong>recorded</strong> need is set against that assumption:
        </p>
        <ul>
          <li>
            <strong>Rate</strong>: presentations per 1,000 residents a year (residents: ONS mid-year estimates per postcode sector).
          </li>
          <li>
            <strong>Expected</strong>: what the sector would record if need followed the matching Indices of Deprivation domain (income for money and debt,
            housing for housing…) as it does across the rest of the area. Domain deciles come from the English Indices of Deprivation 2025 (IoD2025), by each
            postcode’s 2021 neighbourhood (IoD2019 only where that is not known); Welsh sectors have none and are left out.
          </li>
          <li>
            <strong>Ratio</strong>: recorded ÷ expected. 1 means as deprivation predicts; 2, twice as much. The 95% interval allows for chance variation
            (including people presenting several times and the disclosure noise); only where the whole interval is above or below 1 is a sector called far from
            the assumption.
          </li>
        </ul>
        <p className="hint">
          Recorded need is need that reached the organisations sending bundles: a high ratio often means a service is nearby, a low one that need is not
          reaching services. It is a prompt for questions, not a measure of need itself.
        </p>
      </div>
      <label className="inline-label national-min">
        Only sectors with at least
        <select value={minResidents} onChange={(e) => setMinResidents(Number(e.target.value))}>
          {[100, 500, 1000, 5000].map((v) => (
            <option key={v} value={v}>
              {v.toLocaleString('en-GB')}
            </option>
          ))}
        </select>
        residents
      </label>
      <CallStatus state={state} what="need against national assumptions" />
      {answer?.note ? (
        <p className="hint event-note" data-testid="national-note">
          {answer.note}
        </p>
      ) : null}
      {report ? (
        <p className="event-summary" data-testid="national-basis">
          {report.months.length} months ({report.months[0]} to {report.months[report.months.length - 1]}); residents {report.populationYear};{' '}
          {report.limitedTo ? `our area only (${report.limitedTo.join(', ')})` : 'every sector with recorded need'}. Monthly counts varied{' '}
          {formatRatio(report.dispersion)} times as much as pure chance would make them; the intervals allow for that.{' '}
          {far.length === 0
            ? 'No sector is far from what its deprivation predicts, allowing for chance.'
            : `${far.length} of the ${rows.length} shown ${far.length === 1 ? 'is' : 'are'} far from what deprivation predicts.`}
          {report.leftOut.length > 0 ? ` Left out (no residents or deprivation data): ${report.leftOut.join(', ')}.` : ''}
        </p>
      ) : null}
      {report && rows.length === 0 ? <p>Too little data to say: no sector has both recorded need and enough residents.</p> : null}
      {rows.length > 0 ? (
        <>
          <ul className="disagreements" data-testid="national-summaries">
            {rows.slice(0, 5).map((r) => (
              <li key={`${r.sector}/${r.category}`}>{r.summary}.</li>
            ))}
          </ul>
          <ChartPanel
            slug="area-need-vs-assumptions"
            title="Recorded need against what deprivation predicts: ratio and 95% interval"
            description="Each bar spans the 95% interval of recorded ÷ expected need (log scale); 1 = as deprivation predicts. Furthest from the assumption first."
            height={Math.max(260, rows.length * 30 + 60)}
            sortable
            chart={{
              type: 'bar',
              data: {
                labels: rows.map((r) => wrapLabel(label(r), 30)),
                datasets: [
                  {
                    label: '95% interval of the ratio',
                    data: rows.map((r) => [Math.max(r.lower, axisMin), Math.max(r.upper, axisMin)] as unknown as number),
                    backgroundColor: rows.map((r) => (r.lower > 1 ? SERIES_COLOURS.presentations : r.upper < 1 ? SERIES_COLOURS.people : '#b8b8b8')),
                  },
                ],
              },
              options: { indexAxis: 'y', scales: { x: { type: 'logarithmic', min: axisMin, max: axisMax } }, plugins: { legend: { display: false } } },
            }}
            table={{
              caption: 'Recorded need against what deprivation predicts, furthest from the assumption first',
              columns: [
                { label: 'Sector' },
                { label: 'Category' },
                { label: 'Presentations', numeric: true },
                { label: 'Residents', numeric: true },
                { label: 'Per 1,000 a year', numeric: true, format: (v) => (typeof v === 'number' ? v.toFixed(1) : '—') },
                { label: 'Expected', numeric: true, format: (v) => (typeof v === 'number' ? (v < 10 ? v.toFixed(1) : v.toFixed(0)) : '—') },
                { label: 'Deprivation used' },
                { label: 'Ratio (95% interval)' },
              ],
              rows: rows.map((r) => [
                r.sector,
                categoryName(r.category),
                r.observed,
                r.residents,
                r.ratePer1000,
                r.expected,
                r.basis,
                `${formatRatio(r.ratio)} (${formatRatio(r.lower)} to ${formatRatio(r.upper)})`,
              ]),
            }}
          />
        </>
      ) : null}
    </>
  );
}
