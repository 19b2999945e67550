/**
 * The sector map for the whole area, one month at a time: a labelled range slider (arrow keys,
 * Home/End) steps through the months to watch need move. Outlines come from map.sectorShapes
 * (the Reports map's data); colours use one scale over every month, so a darker sector really
 * means more. The table beside the map has the month's figures.
 */
import { useId, useState } from 'react';
import type { CallOutput } from '../../../src-main/ipc/contract.ts';
import { DataTable } from '../../components/charts/DataTable.tsx';
import { PostcodeAreaSelect, SectorLegend, SectorMapSvg, postcodeAreaOf, sectorScale, useMapArea } from '../../components/SectorMap.tsx';
import { per1000 } from '../../../src-main/core/population.ts';
import { monthLabel } from './common.tsx';
import { useSectorResidents } from './OurArea.tsx';

type SectorMonth = CallOutput<'area.needBySectorMonth'>;

export function AreaMap({ need }: { need: SectorMonth }) {
  const months = [...new Set(need.map((r) => r.month))].sort();
  const [monthIndex, setMonthIndex] = useState(months.length - 1);
  const [perResidents, setPerResidents] = useState(false);
  const idBase = useId().replace(/[^a-zA-Z0-9]/g, '');
  const { residents, year } = useSectorResidents([...new Set(need.map((r) => r.sector))].filter((s) => s !== 'unknown').sort());
  const rate = (r: SectorMonth[number] | undefined) => (r ? per1000(r.presentations, residents.get(r.sector)) : null);
  /** What a sector is coloured by: presentations, or presentations per 1,000 residents (null: residents unknown). */
  const valueOf = (r: SectorMonth[number] | undefined): number | null => (perResidents ? rate(r) : (r?.presentations ?? 0));
  const measureLabel = perResidents ? `Presentations per 1,000 residents (${year ?? 'no population data'})` : 'Presentations';

  const presentationsByArea = new Map<string, number>();
  for (const r of need) presentationsByArea.set(postcodeAreaOf(r.sector), (presentationsByArea.get(postcodeAreaOf(r.sector)) ?? 0) + r.presentations);
  const { area, setArea, choices: areaChoices, shapes, areaShapes } = useMapArea(presentationsByArea);

  const month = months[Math.min(Math.max(0, monthIndex), months.length - 1)] ?? null;
  const inArea = need.filter((r) => postcodeAreaOf(r.sector) === area);
  const thisMonth = new Map(inArea.filter((r) => r.month === month).map((r) => [r.sector, r]));
  // One scale for every month, so moving the slider compares like with like.
  const scale = sectorScale(
    inArea
      .filter((r) => r.presentations > 0)
      .map(valueOf)
      .filter((v): v is number => v !== null),
  );

  const shaped = new Set(areaShapes.map((s) => s.sector));
  const withFigures = areaShapes.filter((s) => (thisMonth.get(s.sector)?.presentations ?? 0) > 0).length;
  const tableRows = need
    .filter((r) => r.month === month)
    // The mapped area's sectors first, then the rest, so the table reads beside the map.
    .sort(
      (a, b) =>
        Number(postcodeAreaOf(b.sector) === area) - Number(postcodeAreaOf(a.sector) === area) ||
        b.presentations - a.presentations ||
        a.sector.localeCompare(b.sector),
    )
    .map((r) => [r.sector, r.presentations, r.people, r.suppressed, residents.get(r.sector) ?? null, rate(r), shaped.has(r.sector) ? 'yes' : 'no map shape']);

  if (months.length === 0) return null;
  return (
    <figure className="chart-panel" data-testid="panel-area-map" aria-labelledby={`${idBase}-heading`}>
      <div className="chart-panel-head">
        <h2 id={`${idBase}-heading`}>Map: need moving month by month</h2>
      </div>
      <p className="hint">
        Presentations per postcode sector in the chosen month, all organisations. Move the slider (or use the arrow keys) to step through the months.
      </p>
      <div className="row map-controls">
        <PostcodeAreaSelect area={area} choices={areaChoices} unit="presentations" onChange={setArea} />
        <div className="field">
          <label htmlFor={`${idBase}-measure`}>Colour by</label>
          <select id={`${idBase}-measure`} value={perResidents ? 'rate' : 'count'} onChange={(e) => setPerResidents(e.target.value === 'rate')}>
            <option value="count">Presentations</option>
            <option value="rate">Presentations per 1,000 residents</option>
          </select>
        </div>
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
            <SectorMapSvg
              shapes={areaShapes}
              idBase={idBase}
              testId="area-sector-map"
              month={month ?? ''}
              title={
                <>
                  {measureLabel} by postcode sector in the {area} postcode area, {month ? monthLabel(month) : ''}
                </>
              }
              description={
                <>
                  {withFigures} of {areaShapes.length} sectors had presentations this month. The table beside the map has every figure.
                </>
              }
              fillOf={(s) => {
                const value = valueOf(thisMonth.get(s.sector));
                return value !== null && value > 0 ? { kind: 'coloured', colour: scale.colourFor(value) } : { kind: 'empty' };
              }}
              titleOf={(s) => (
                <>
                  {s.sector}: {thisMonth.get(s.sector)?.presentations ?? 0} presentations in {month ? monthLabel(month) : ''}
                </>
              )}
            />
          ) : area ? (
            <p className="loading">Drawing the map…</p>
          ) : (
            <p className="hint">None of these sectors’ postcode areas has map outlines yet; the table lists every sector.</p>
          )}
          {area && areaShapes.length ? (
            <SectorLegend
              title={measureLabel}
              scale={scale}
              last={{ swatch: 'empty', label: perResidents ? 'none reported, or residents unknown' : 'none reported' }}
              group
            />
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
              { label: `Residents (${year ?? 'no population data'})`, numeric: true },
              { label: 'Presentations per 1,000 residents', numeric: true },
              { label: 'On the map' },
            ],
            rows: tableRows,
          }}
        />
      </div>
    </figure>
  );
}
