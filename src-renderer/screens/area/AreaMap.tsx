/**
 * The sector map for the whole area, one month at a time: a labelled range slider (arrow keys,
 * Home/End) steps through the months to watch need move. Outlines come from reports.sectorShapes
 * (the Reports map's data); colours use one scale over every month, so a darker sector really
 * means more. The table beside the map has the month's figures.
 */
import { useId, useState } from 'react';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { SEQUENTIAL } from '../../components/charts/chartjs.ts';
import { DataTable } from '../../components/charts/DataTable.tsx';
import { Field } from '../../components/Field.tsx';
import { classRanges } from '../reports/MapView.tsx';
import { shown } from '../reports/useReport.ts';
import { monthLabel, postcodeAreaOf, useAreaCall } from './common.tsx';

type SectorMonth = CallOutput<'area.needBySectorMonth'>;

export function AreaMap({ need }: { need: SectorMonth }) {
  const months = [...new Set(need.map((r) => r.month))].sort();
  const [monthIndex, setMonthIndex] = useState(months.length - 1);
  const [chosenArea, setChosenArea] = useState<string | null>(null);
  const idBase = useId().replace(/[^a-zA-Z0-9]/g, '');

  const presentationsByArea = new Map<string, number>();
  for (const r of need) presentationsByArea.set(postcodeAreaOf(r.sector), (presentationsByArea.get(postcodeAreaOf(r.sector)) ?? 0) + r.presentations);
  const [allShapesState] = useAreaCall('reports.sectorShapes', { areas: [] });
  const withShapes = new Set((shown(allShapesState)?.areas ?? []).map((a) => a.area));
  const areaChoices = [...presentationsByArea].filter(([a]) => withShapes.has(a)).sort((a, b) => b[1] - a[1]);
  const area = chosenArea && withShapes.has(chosenArea) ? chosenArea : (areaChoices[0]?.[0] ?? null);
  const [shapesState] = useAreaCall('reports.sectorShapes', area ? { areas: [area] } : null);
  const shapes = area ? shown(shapesState) : null;
  const areaShapes = shapes?.shapes.filter((s) => s.area === area) ?? [];

  const month = months[Math.min(Math.max(0, monthIndex), months.length - 1)] ?? null;
  const inArea = need.filter((r) => postcodeAreaOf(r.sector) === area);
  const thisMonth = new Map(inArea.filter((r) => r.month === month).map((r) => [r.sector, r]));
  // One scale for every month, so moving the slider compares like with like.
  const ranges = classRanges(inArea.filter((r) => r.presentations > 0).map((r) => r.presentations));
  const colourOf = (i: number) => SEQUENTIAL[ranges.length <= 1 ? SEQUENTIAL.length - 1 : Math.round((i * (SEQUENTIAL.length - 1)) / (ranges.length - 1))]!;
  const colourFor = (value: number) => colourOf(Math.max(0, ranges.findIndex(([, to]) => value <= to)));

  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const { bbox } of areaShapes) {
    box[0] = Math.min(box[0], bbox[0]);
    box[1] = Math.min(box[1], bbox[1]);
    box[2] = Math.max(box[2], bbox[2]);
    box[3] = Math.max(box[3], bbox[3]);
  }
  const pad = Number.isFinite(box[0]) ? Math.max(box[2] - box[0], box[3] - box[1]) * 0.02 : 0;
  const shaped = new Set(areaShapes.map((s) => s.sector));
  const withFigures = areaShapes.filter((s) => (thisMonth.get(s.sector)?.presentations ?? 0) > 0).length;
  const tableRows = need
    .filter((r) => r.month === month)
    // The mapped area's sectors first, then the rest, so the table reads beside the map.
    .sort((a, b) => Number(postcodeAreaOf(b.sector) === area) - Number(postcodeAreaOf(a.sector) === area) || b.presentations - a.presentations || a.sector.localeCompare(b.sector))
    .map((r) => [r.sector, r.presentations, r.people, r.suppressed, shaped.has(r.sector) ? 'yes' : 'no map shape']);

  if (months.length === 0) return null;
  return (
    <figure className="chart-panel" data-testid="panel-area-map" aria-labelledby={`${idBase}-heading`}>
      <div className="chart-panel-head">
        <h2 id={`${idBase}-heading`}>Map: need moving month by month</h2>
      </div>
      <p className="hint">Presentations per postcode sector in the chosen month, all organisations. Move the slider (or use the arrow keys) to step through the months.</p>
      <div className="row map-controls">
        <Field label="Postcode area">
          {(p) => (
            <select {...p} value={area ?? ''} onChange={(e) => setChosenArea(e.target.value)} disabled={areaChoices.length === 0}>
              {areaChoices.length === 0 ? <option value="">No area with a map</option> : null}
              {areaChoices.map(([a, total]) => (
                <option key={a} value={a}>
                  {a} ({total.toLocaleString('en-GB')} presentations)
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="field month-slider">
          <label htmlFor={`${idBase}-month`}>Month: {month ? monthLabel(month) : '—'}</label>
          <input
            id={`${idBase}-month`}
            type="range"
            min={0}
            max={months.length - 1}
            step={1}
            value={Math.min(monthIndex, months.length - 1)}
            aria-valuetext={month ? monthLabel(month) : undefined}
            onChange={(e) => setMonthIndex(Number(e.target.value))}
          />
          <div className="slider-ends hint" aria-hidden="true">
            <span>{monthLabel(months[0]!)}</span>
            <span>{monthLabel(months[months.length - 1]!)}</span>
          </div>
        </div>
      </div>
      <div className="map-and-table">
        <div className="map-figure">
          {area && areaShapes.length ? (
            <svg
              className="sector-map"
              role="img"
              aria-labelledby={`${idBase}-title`}
              aria-describedby={`${idBase}-desc`}
              viewBox={`${box[0] - pad} ${box[1] - pad} ${box[2] - box[0] + 2 * pad} ${box[3] - box[1] + 2 * pad}`}
              data-testid="area-sector-map"
              data-month={month ?? ''}
            >
              <title id={`${idBase}-title`}>
                Presentations by postcode sector in the {area} postcode area, {month ? monthLabel(month) : ''}
              </title>
              <desc id={`${idBase}-desc`}>
                {withFigures} of {areaShapes.length} sectors had presentations this month. The table beside the map has every figure.
              </desc>
              {areaShapes.map((s) => {
                const value = thisMonth.get(s.sector)?.presentations ?? 0;
                return (
                  <path
                    key={s.sector}
                    d={s.d}
                    fillRule="evenodd"
                    className={value > 0 ? 'sector coloured' : 'sector empty'}
                    data-sector={s.sector}
                    fill={value > 0 ? colourFor(value) : '#ffffff'}
                    stroke="#1b1f24"
                    strokeWidth={pad * 0.08 || 2}
                    strokeLinejoin="round"
                  >
                    <title>
                      {s.sector}: {value} presentations in {month ? monthLabel(month) : ''}
                    </title>
                  </path>
                );
              })}
            </svg>
          ) : area ? (
            <p className="loading">Drawing the map…</p>
          ) : (
            <p className="hint">None of these sectors’ postcode areas has map outlines yet; the table lists every sector.</p>
          )}
          {area && areaShapes.length ? (
            <div className="legend" aria-label="Legend">
              <span className="legend-title">Presentations</span>
              {ranges.map(([from, to], i) => (
                <span key={i} className="legend-item">
                  <span className="swatch" style={{ background: colourOf(i) }} />
                  {from === to ? from : `${from}–${to}`}
                </span>
              ))}
              <span className="legend-item">
                <span className="swatch" style={{ background: '#ffffff' }} />
                none reported
              </span>
            </div>
          ) : null}
          {shapes ? (
            <p className="hint attribution">
              {shapes.approximation} {shapes.attribution}
            </p>
          ) : null}
        </div>
        <DataTable
          sortable
          table={{
            caption: `Presentations by sector, ${month ? monthLabel(month) : ''}${area ? ` (${area} first)` : ''}`,
            columns: [
              { label: 'Sector' },
              { label: 'Presentations', numeric: true },
              { label: 'People', numeric: true },
              { label: 'Suppressed', numeric: true },
              { label: 'On the map' },
            ],
            rows: tableRows,
          }}
        />
      </div>
    </figure>
  );
}
