/**
 * Map: the Where figures drawn by postcode sector, offline. Outlines come from map.sectorShapes
 * (merged Voronoi cells of the postcode centroids); colours from a sequential palette with a legend.
 * Sectors with fewer clients than the disclosure threshold are hatched, not coloured, so small
 * numbers are not read as a pattern. The table beside the map has every figure.
 */
import { useId, useState } from 'react';
import { toCsv } from '../../../src-main/core/csv.ts';
import { UNKNOWN_SECTOR } from '../../../src-main/core/reports.ts';
import { DataTable } from '../../components/charts/DataTable.tsx';
import { Field, errorFor } from '../../components/Field.tsx';
import { PostcodeAreaSelect, SectorLegend, SectorMapSvg, postcodeAreaOf, sectorScale, useMapArea } from '../../components/SectorMap.tsx';
import { downloadBlob, downloadText } from '../../download.ts';
import { asCallFilter, type ReportFilterState } from './filterStore.ts';
import { ReportStatus } from './ReportStatus.tsx';
import { shown, useReport } from './useReport.ts';
import { per1000 } from '../../../src-main/core/population.ts';
import { residentsLabel, sectorLabel, type Measure } from './WhereView.tsx';

/** What the map colours by: a count, or a count per 1,000 residents. */
type MapMeasure = Measure | 'peopleRate' | 'presentationsRate';
const MAP_MEASURES: Record<MapMeasure, { label: string; count: Measure; rate: boolean }> = {
  people: { label: 'People', count: 'people', rate: false },
  presentations: { label: 'Presentations', count: 'presentations', rate: false },
  peopleRate: { label: 'People per 1,000 residents', count: 'people', rate: true },
  presentationsRate: { label: 'Presentations per 1,000 residents', count: 'presentations', rate: true },
};

/** No disclosure setting for the local map exists yet: 10 clients is the usual threshold. */
export const DEFAULT_MAP_THRESHOLD = 10;

/** Draws the map's SVG onto a white canvas (1600 px wide) and offers it as a PNG. */
export function saveSvgAsPng(svg: SVGSVGElement, fileName: string): void {
  const box = svg.viewBox.baseVal;
  const width = 1600;
  const height = Math.round((width * box.height) / box.width);
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(copy)], { type: 'image/svg+xml' }));
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(image, 0, 0, width, height);
    URL.revokeObjectURL(url);
    canvas.toBlob((blob) => blob && downloadBlob(fileName, blob), 'image/png');
  };
  image.src = url;
}

export function MapView({ filter }: { filter: ReportFilterState }) {
  const whereState = useReport('reports.where', { filter: asCallFilter(filter) });
  const where = shown(whereState);
  const [measure, setMeasure] = useState<MapMeasure>('people');
  const chosen = MAP_MEASURES[measure];
  const [thresholdText, setThresholdText] = useState(String(DEFAULT_MAP_THRESHOLD));
  const idBase = `map-${useId().replace(/[^a-zA-Z0-9]/g, '')}`;

  const threshold = Number(thresholdText);
  const thresholdError =
    /^\d+$/.test(thresholdText.trim()) && threshold >= 1 && threshold <= 100 ? undefined : 'Enter a whole number of clients from 1 to 100.';
  const effectiveThreshold = thresholdError ? DEFAULT_MAP_THRESHOLD : threshold;

  // Areas by people, most first: the map opens on the area most clients come from.
  const peopleByArea = new Map<string, number>();
  for (const s of where?.sectors ?? []) {
    if (s.known) peopleByArea.set(postcodeAreaOf(s.sector), (peopleByArea.get(postcodeAreaOf(s.sector)) ?? 0) + s.people);
  }
  const { area, setArea, choices: areaChoices, areasWithShapes, shapes, shapesState, areaShapes } = useMapArea(peopleByArea);

  const figures = new Map((where?.sectors ?? []).map((s) => [s.sector, s]));
  // Too few clients to show as a colour: hatched on the map, said so in its title and the table.
  const hatched = (sector: string) => (figures.get(sector)?.people ?? 0) < effectiveThreshold;
  const shaped = new Set(areaShapes.map((s) => s.sector));
  // A sector's value on the map: its count, or its count per 1,000 residents (null where residents are unknown).
  const valueOf = (sector: string): number | null => {
    const f = figures.get(sector);
    if (!f) return chosen.rate ? null : 0;
    return chosen.rate ? per1000(f[chosen.count], f.residents) : f[chosen.count];
  };
  const scale = sectorScale(
    areaShapes
      .filter((s) => !hatched(s.sector))
      .map((s) => valueOf(s.sector))
      .filter((v): v is number => v !== null),
  );

  const statusOf = (sector: string): string => {
    if (sector === UNKNOWN_SECTOR) return 'no map shape (unknown sector)';
    if (!shapes || !areasWithShapes.has(postcodeAreaOf(sector))) return 'no map shape';
    if (postcodeAreaOf(sector) !== area) return `on the ${postcodeAreaOf(sector)} map`;
    if (!shaped.has(sector)) return 'no map shape';
    return hatched(sector) ? `hatched: under ${effectiveThreshold}` : 'coloured';
  };
  // The table: this area's sectors (with or without clients), then every sector that has no shape.
  const tableSectors = [
    ...areaShapes.map((s) => s.sector),
    ...(where?.sectors ?? []).filter((s) => !shaped.has(s.sector) && postcodeAreaOf(s.sector) === area).map((s) => s.sector),
    ...(where?.sectors ?? []).filter((s) => !areasWithShapes.has(postcodeAreaOf(s.sector)) || s.sector === UNKNOWN_SECTOR).map((s) => s.sector),
  ];
  const tableRows = tableSectors.map((sector) => {
    const f = figures.get(sector);
    const residents = f?.residents ?? null;
    return [
      sectorLabel(sector),
      f?.people ?? 0,
      f?.presentations ?? 0,
      residents,
      per1000(f?.people ?? 0, residents),
      per1000(f?.presentations ?? 0, residents),
      statusOf(sector),
    ];
  });
  const tableColumns = [
    { label: 'Sector' },
    { label: 'People', numeric: true },
    { label: 'Presentations', numeric: true },
    { label: where ? residentsLabel(where) : 'Residents', numeric: true },
    { label: 'People per 1,000 residents', numeric: true },
    { label: 'Presentations per 1,000 residents', numeric: true },
    { label: 'On the map' },
  ];
  const hatchedCount = areaShapes.filter((s) => hatched(s.sector)).length;

  return (
    <div className={whereState.status === 'loading' || (area && shapesState.status === 'loading') ? 'report-body stale' : 'report-body'}>
      <ReportStatus state={whereState} what="the sectors" />
      {where ? (
        <>
          <div className="row map-controls">
            <PostcodeAreaSelect area={area} choices={areaChoices} unit="people" onChange={setArea} />
            <Field label="Colour by">
              {(p) => (
                <select {...p} value={measure} onChange={(e) => setMeasure(e.target.value as MapMeasure)}>
                  {(Object.keys(MAP_MEASURES) as MapMeasure[]).map((m) => (
                    <option key={m} value={m}>
                      {MAP_MEASURES[m].label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field
              label="Hatch sectors with fewer clients than"
              error={errorFor(thresholdError ? { t: [thresholdError] } : {}, 't')}
              hint="10 is the usual disclosure threshold."
            >
              {(p) => <input {...p} inputMode="numeric" className="days-input" value={thresholdText} onChange={(e) => setThresholdText(e.target.value)} />}
            </Field>
          </div>
          {area === null ? <p className="hint">None of these clients’ postcode areas has map outlines yet; the table below lists every sector.</p> : null}
          <div className="map-and-table">
            <figure className="map-figure" aria-labelledby={`${idBase}-title`}>
              {area && areaShapes.length ? (
                <SectorMapSvg
                  shapes={areaShapes}
                  idBase={idBase}
                  testId="sector-map"
                  title={
                    <>
                      Map of {chosen.label.toLowerCase()} by postcode sector in the {area} postcode area
                    </>
                  }
                  description={
                    <>
                      {areaShapes.length - hatchedCount} sectors coloured by {chosen.label.toLowerCase()}, {hatchedCount} hatched because they have fewer than{' '}
                      {effectiveThreshold} clients. The table beside the map has every figure.
                    </>
                  }
                  hatch
                  fillOf={(s) => {
                    if (hatched(s.sector)) return { kind: 'hatched' };
                    const value = valueOf(s.sector);
                    return value === null ? { kind: 'empty' } : { kind: 'coloured', colour: scale.colourFor(value) };
                  }}
                  titleOf={(s) => {
                    const f = figures.get(s.sector);
                    return (
                      <>
                        {s.sector}: {f?.people ?? 0} people, {f?.presentations ?? 0} presentations
                        {f?.residents ? `, ${f.residents.toLocaleString('en-GB')} residents (${where.population.year})` : ''}
                        {hatched(s.sector) ? ` (fewer than ${effectiveThreshold} clients: hatched)` : ''}
                      </>
                    );
                  }}
                />
              ) : area ? (
                <p className="loading">Drawing the map…</p>
              ) : null}
              {area && areaShapes.length ? (
                <figcaption>
                  <SectorLegend
                    group
                    title={chosen.rate ? `${chosen.label} (${where.population.year ?? 'no population data'})` : chosen.label}
                    scale={scale}
                    last={{
                      swatch: 'hatched',
                      label: <>fewer than {effectiveThreshold} clients</>,
                    }}
                  />
                  <p className="hint attribution">
                    {shapes?.approximation} {shapes?.attribution}
                  </p>
                </figcaption>
              ) : null}
            </figure>
            <div className="map-table">
              <div className="actions chart-actions">
                {area && areaShapes.length ? (
                  <button
                    type="button"
                    onClick={() => {
                      const svg = document.querySelector<SVGSVGElement>('svg.sector-map');
                      if (svg) saveSvgAsPng(svg, `needmap-map-${area}-${measure}.png`);
                    }}
                  >
                    Save map as PNG
                  </button>
                ) : null}
                <button
                  type="button"
                  onClick={() =>
                    downloadText(
                      `needmap-map-${area ?? 'sectors'}.csv`,
                      toCsv(
                        tableColumns.map((c) => c.label),
                        tableRows,
                      ),
                      'text/csv;charset=utf-8',
                    )
                  }
                >
                  Download CSV<span className="visually-hidden"> of the map table</span>
                </button>
              </div>
              <DataTable
                table={{ caption: `Sectors${area ? ` in ${area}` : ''}, and sectors with no map shape`, columns: tableColumns, rows: tableRows }}
                sortable
              />
            </div>
          </div>
        </>
      ) : null}
    </div>
  );
}
