/**
 * Map: the Where figures drawn by postcode sector, offline. Outlines come from reports.sectorShapes
 * (merged Voronoi cells of the postcode centroids); colours from a sequential palette with a legend.
 * Sectors with fewer clients than the disclosure threshold are hatched, not coloured, so small
 * numbers are not read as a pattern. The table beside the map has every figure.
 */
import { useId, useState } from 'react';
import { toCsv } from '../../../src-main/core/csv.ts';
import { UNKNOWN_SECTOR } from '../../../src-main/core/reports.ts';
import { SEQUENTIAL } from '../../components/charts/chartjs.ts';
import { DataTable } from '../../components/charts/DataTable.tsx';
import { Field, errorFor } from '../../components/Field.tsx';
import { downloadBlob, downloadText } from '../../download.ts';
import { asCallFilter, type ReportFilterState } from './filterStore.ts';
import { ReportStatus } from './ReportStatus.tsx';
import { shown, useReport } from './useReport.ts';
import type { Measure } from './WhereView.tsx';

/** No disclosure setting for the local map exists yet: 10 clients is the usual threshold. */
export const DEFAULT_MAP_THRESHOLD = 10;

function areaOf(sector: string): string {
  return /^[A-Z]+/.exec(sector)?.[0] ?? sector;
}

/** Up to one class per palette colour, in equal whole-number steps from the smallest to the largest coloured value. */
export function classRanges(values: readonly number[]): [number, number][] {
  if (values.length === 0) return [];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const classes = Math.min(SEQUENTIAL.length, hi - lo + 1);
  const ranges: [number, number][] = [];
  for (let i = 0; i < classes; i++) {
    const from = i === 0 ? lo : ranges[i - 1]![1] + 1;
    const to = i === classes - 1 ? hi : Math.max(from, Math.floor(lo + ((hi - lo + 1) * (i + 1)) / classes) - 1);
    ranges.push([from, to]);
  }
  return ranges;
}

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
  const [measure, setMeasure] = useState<Measure>('people');
  const [chosenArea, setChosenArea] = useState<string | null>(null);
  const [thresholdText, setThresholdText] = useState(String(DEFAULT_MAP_THRESHOLD));
  const patternId = `hatch-${useId().replace(/[^a-zA-Z0-9]/g, '')}`;
  const titleId = `${patternId}-title`;
  const descId = `${patternId}-desc`;

  const threshold = Number(thresholdText);
  const thresholdError =
    /^\d+$/.test(thresholdText.trim()) && threshold >= 1 && threshold <= 100 ? undefined : 'Enter a whole number of clients from 1 to 100.';
  const effectiveThreshold = thresholdError ? DEFAULT_MAP_THRESHOLD : threshold;

  // Areas by people, most first: the map opens on the area most clients come from.
  const peopleByArea = new Map<string, number>();
  for (const s of where?.sectors ?? []) {
    if (s.known) peopleByArea.set(areaOf(s.sector), (peopleByArea.get(areaOf(s.sector)) ?? 0) + s.people);
  }
  const allShapesState = useReport('reports.sectorShapes', { areas: [] });
  const areasWithShapes = new Set((shown(allShapesState)?.areas ?? []).map((a) => a.area));
  const areaChoices = [...peopleByArea].filter(([a]) => areasWithShapes.has(a)).sort((a, b) => b[1] - a[1]);
  const area = chosenArea && areasWithShapes.has(chosenArea) ? chosenArea : (areaChoices[0]?.[0] ?? null);
  const shapesState = useReport('reports.sectorShapes', area ? { areas: [area] } : null);
  const shapes = area ? shown(shapesState) : null;

  const figures = new Map((where?.sectors ?? []).map((s) => [s.sector, s]));
  const areaShapes = shapes?.shapes.filter((s) => s.area === area) ?? [];
  const shaped = new Set(areaShapes.map((s) => s.sector));
  const shownValues = areaShapes
    .map((s) => figures.get(s.sector))
    .filter((f) => f && f.people >= effectiveThreshold)
    .map((f) => f![measure]);
  const ranges = classRanges(shownValues);
  // With fewer classes than colours, spread them over the palette so they stay far apart.
  const colourOf = (i: number) => SEQUENTIAL[ranges.length <= 1 ? SEQUENTIAL.length - 1 : Math.round((i * (SEQUENTIAL.length - 1)) / (ranges.length - 1))]!;
  const colourFor = (value: number) => colourOf(Math.max(0, ranges.findIndex(([, to]) => value <= to)));

  // The viewBox: the area's sectors, with a little room.
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const { bbox } of areaShapes) {
    box[0] = Math.min(box[0], bbox[0]);
    box[1] = Math.min(box[1], bbox[1]);
    box[2] = Math.max(box[2], bbox[2]);
    box[3] = Math.max(box[3], bbox[3]);
  }
  const pad = Number.isFinite(box[0]) ? Math.max(box[2] - box[0], box[3] - box[1]) * 0.02 : 0;

  const statusOf = (sector: string): string => {
    const f = figures.get(sector);
    if (sector === UNKNOWN_SECTOR) return 'no map shape (unknown sector)';
    if (!shapes || !areasWithShapes.has(areaOf(sector))) return 'no map shape';
    if (areaOf(sector) !== area) return `on the ${areaOf(sector)} map`;
    if (!shaped.has(sector)) return 'no map shape';
    return (f?.people ?? 0) < effectiveThreshold ? `hatched: under ${effectiveThreshold}` : 'coloured';
  };
  // The table: this area's sectors (with or without clients), then every sector that has no shape.
  const tableSectors = [
    ...areaShapes.map((s) => s.sector),
    ...(where?.sectors ?? []).filter((s) => !shaped.has(s.sector) && areaOf(s.sector) === area).map((s) => s.sector),
    ...(where?.sectors ?? []).filter((s) => !areasWithShapes.has(areaOf(s.sector)) || s.sector === UNKNOWN_SECTOR).map((s) => s.sector),
  ];
  const tableRows = tableSectors.map((sector) => {
    const f = figures.get(sector);
    return [sector === UNKNOWN_SECTOR ? 'Unknown (no postcode sector)' : sector, f?.people ?? 0, f?.presentations ?? 0, statusOf(sector)];
  });
  const tableColumns = [{ label: 'Sector' }, { label: 'People', numeric: true }, { label: 'Presentations', numeric: true }, { label: 'On the map' }];
  const hatchedCount = areaShapes.filter((s) => (figures.get(s.sector)?.people ?? 0) < effectiveThreshold).length;

  return (
    <div className={whereState.status === 'loading' || (area && shapesState.status === 'loading') ? 'report-body stale' : 'report-body'}>
      <ReportStatus state={whereState} what="the sectors" />
      {where ? (
        <>
          <div className="row map-controls">
            <Field label="Postcode area">
              {(p) => (
                <select {...p} value={area ?? ''} onChange={(e) => setChosenArea(e.target.value)} disabled={areaChoices.length === 0}>
                  {areaChoices.length === 0 ? <option value="">No area with a map</option> : null}
                  {areaChoices.map(([a, people]) => (
                    <option key={a} value={a}>
                      {a} ({people.toLocaleString('en-GB')} people)
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Colour by">
              {(p) => (
                <select {...p} value={measure} onChange={(e) => setMeasure(e.target.value as Measure)}>
                  <option value="people">People</option>
                  <option value="presentations">Presentations</option>
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
          {area === null ? (
            <p className="hint">None of these clients’ postcode areas has map outlines yet; the table below lists every sector.</p>
          ) : null}
          <div className="map-and-table">
            <figure className="map-figure" aria-labelledby={titleId}>
              {area && areaShapes.length ? (
                <svg
                  className="sector-map"
                  role="img"
                  aria-labelledby={titleId}
                  aria-describedby={descId}
                  viewBox={`${box[0] - pad} ${box[1] - pad} ${box[2] - box[0] + 2 * pad} ${box[3] - box[1] + 2 * pad}`}
                  data-testid="sector-map"
                >
                  <title id={titleId}>
                    Map of {measure} by postcode sector in the {area} postcode area
                  </title>
                  <desc id={descId}>
                    {areaShapes.length - hatchedCount} sectors coloured by {measure}, {hatchedCount} hatched because they have fewer than{' '}
                    {effectiveThreshold} clients. The table beside the map has every figure.
                  </desc>
                  <defs>
                    <pattern id={patternId} patternUnits="userSpaceOnUse" width={pad * 0.6 || 20} height={pad * 0.6 || 20} patternTransform="rotate(45)">
                      <rect width={pad * 0.6 || 20} height={pad * 0.6 || 20} fill="#ffffff" />
                      <line x1="0" y1="0" x2="0" y2={pad * 0.6 || 20} stroke="#5f6b7a" strokeWidth={pad * 0.18 || 6} />
                    </pattern>
                  </defs>
                  {areaShapes.map((s) => {
                    const f = figures.get(s.sector);
                    const hatched = (f?.people ?? 0) < effectiveThreshold;
                    return (
                      <path
                        key={s.sector}
                        d={s.d}
                        fillRule="evenodd"
                        className={hatched ? 'sector hatched' : 'sector coloured'}
                        data-sector={s.sector}
                        fill={hatched ? `url(#${patternId})` : colourFor(f![measure])}
                        stroke="#1b1f24"
                        strokeWidth={pad * 0.08 || 2}
                        strokeLinejoin="round"
                      >
                        <title>
                          {s.sector}: {f?.people ?? 0} people, {f?.presentations ?? 0} presentations
                          {hatched ? ` (fewer than ${effectiveThreshold} clients: hatched)` : ''}
                        </title>
                      </path>
                    );
                  })}
                </svg>
              ) : area ? (
                <p className="loading">Drawing the map…</p>
              ) : null}
              {area && areaShapes.length ? (
                <figcaption>
                  <div className="legend" role="group" aria-label="Legend">
                    <span className="legend-title">{measure === 'people' ? 'People' : 'Presentations'}</span>
                    {ranges.map(([from, to], i) => (
                      <span key={i} className="legend-item">
                        <span className="swatch" style={{ background: colourOf(i) }} />
                        {from === to ? from : `${from}–${to}`}
                      </span>
                    ))}
                    <span className="legend-item">
                      <span className="swatch swatch-hatched" />
                      fewer than {effectiveThreshold} clients
                    </span>
                  </div>
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
                  onClick={() => downloadText(`needmap-map-${area ?? 'sectors'}.csv`, toCsv(tableColumns.map((c) => c.label), tableRows), 'text/csv;charset=utf-8')}
                >
                  Download CSV<span className="visually-hidden"> of the map table</span>
                </button>
              </div>
              <DataTable table={{ caption: `Sectors${area ? ` in ${area}` : ''}, and sectors with no map shape`, columns: tableColumns, rows: tableRows }} sortable />
            </div>
          </div>
        </>
      ) : null}
    </div>
  );
}
