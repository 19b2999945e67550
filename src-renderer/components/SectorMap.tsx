/**
 * The postcode-sector map the Reports map and the Area picture share: choosing a postcode area
 * (only areas with shipped outlines, busiest first), the colour scale, the SVG with its hatch
 * pattern, and the legend. Each screen keeps its own controls, figures and table.
 */
import { useState, type ReactNode } from 'react';
import type { CallOutput } from '../../src-main/ipc/contract.ts';
import { useCall, shown } from '../use-call.ts';
import { SEQUENTIAL } from './charts/chartjs.ts';
import { Field } from './Field.tsx';

type SectorShapes = CallOutput<'map.sectorShapes'>;
export type SectorShape = SectorShapes['shapes'][number];

export function postcodeAreaOf(sector: string): string {
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

export interface SectorScale {
  ranges: [number, number][];
  colourOf(classIndex: number): string;
  colourFor(value: number): string;
}

export function sectorScale(values: readonly number[]): SectorScale {
  const ranges = classRanges(values);
  // With fewer classes than colours, spread them over the palette so they stay far apart.
  const colourOf = (i: number) => SEQUENTIAL[ranges.length <= 1 ? SEQUENTIAL.length - 1 : Math.round((i * (SEQUENTIAL.length - 1)) / (ranges.length - 1))]!;
  const colourFor = (value: number) =>
    colourOf(
      Math.max(
        0,
        ranges.findIndex(([, to]) => value <= to),
      ),
    );
  return { ranges, colourOf, colourFor };
}

/**
 * The postcode area to draw: the one chosen, or else the one with the largest total, among the
 * areas that have outlines; and that area's outlines.
 */
export function useMapArea(totalsByArea: ReadonlyMap<string, number>) {
  const [chosenArea, setArea] = useState<string | null>(null);
  const [allShapesState] = useCall('map.sectorShapes', { areas: [] });
  const areasWithShapes = new Set((shown(allShapesState)?.areas ?? []).map((a) => a.area));
  const choices = [...totalsByArea].filter(([a]) => areasWithShapes.has(a)).sort((a, b) => b[1] - a[1]);
  const area = chosenArea && areasWithShapes.has(chosenArea) ? chosenArea : (choices[0]?.[0] ?? null);
  const [shapesState] = useCall('map.sectorShapes', area ? { areas: [area] } : null);
  const shapes = area ? shown(shapesState) : null;
  const areaShapes = shapes?.shapes.filter((s) => s.area === area) ?? [];
  return { area, setArea, choices, areasWithShapes, shapes, shapesState, areaShapes };
}

export function PostcodeAreaSelect({
  area,
  choices,
  unit,
  onChange,
}: {
  area: string | null;
  choices: readonly (readonly [string, number])[];
  /** What the totals beside each area count ("people", "presentations"). */
  unit: string;
  onChange: (area: string) => void;
}) {
  return (
    <Field label="Postcode area">
      {(p) => (
        <select {...p} value={area ?? ''} onChange={(e) => onChange(e.target.value)} disabled={choices.length === 0}>
          {choices.length === 0 ? <option value="">No area with a map</option> : null}
          {choices.map(([a, total]) => (
            <option key={a} value={a}>
              {a} ({total.toLocaleString('en-GB')} {unit})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** How one sector is filled: a colour from the scale, the hatch pattern (too few to show), or white (none). */
export type SectorFill = { kind: 'coloured'; colour: string } | { kind: 'hatched' } | { kind: 'empty' };

const EMPTY_FILL = '#ffffff';

export function SectorMapSvg({
  shapes,
  idBase,
  testId,
  month,
  title,
  description,
  hatch,
  fillOf,
  titleOf,
}: {
  shapes: readonly SectorShape[];
  /** Prefix of the title, description and hatch pattern ids (the title's id is `${idBase}-title`). */
  idBase: string;
  testId: string;
  /** The month drawn, as data-month (the Area picture's slider). */
  month?: string;
  title: ReactNode;
  description: ReactNode;
  /** Whether any sector may be hatched (draws the pattern). */
  hatch?: boolean;
  fillOf: (shape: SectorShape) => SectorFill;
  titleOf: (shape: SectorShape) => ReactNode;
}) {
  // The viewBox: the sectors, with a little room.
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const { bbox } of shapes) {
    box[0] = Math.min(box[0], bbox[0]);
    box[1] = Math.min(box[1], bbox[1]);
    box[2] = Math.max(box[2], bbox[2]);
    box[3] = Math.max(box[3], bbox[3]);
  }
  const pad = Number.isFinite(box[0]) ? Math.max(box[2] - box[0], box[3] - box[1]) * 0.02 : 0;
  const patternId = `${idBase}-hatch`;
  return (
    <svg
      className="sector-map"
      role="img"
      aria-labelledby={`${idBase}-title`}
      aria-describedby={`${idBase}-desc`}
      viewBox={`${box[0] - pad} ${box[1] - pad} ${box[2] - box[0] + 2 * pad} ${box[3] - box[1] + 2 * pad}`}
      data-testid={testId}
      {...(month === undefined ? {} : { 'data-month': month })}
    >
      <title id={`${idBase}-title`}>{title}</title>
      <desc id={`${idBase}-desc`}>{description}</desc>
      {hatch ? (
        <defs>
          <pattern id={patternId} patternUnits="userSpaceOnUse" width={pad * 0.6 || 20} height={pad * 0.6 || 20} patternTransform="rotate(45)">
            <rect width={pad * 0.6 || 20} height={pad * 0.6 || 20} fill="#ffffff" />
            <line x1="0" y1="0" x2="0" y2={pad * 0.6 || 20} stroke="#5f6b7a" strokeWidth={pad * 0.18 || 6} />
          </pattern>
        </defs>
      ) : null}
      {shapes.map((s) => {
        const fill = fillOf(s);
        return (
          <path
            key={s.sector}
            d={s.d}
            fillRule="evenodd"
            className={`sector ${fill.kind}`}
            data-sector={s.sector}
            fill={fill.kind === 'coloured' ? fill.colour : fill.kind === 'hatched' ? `url(#${patternId})` : EMPTY_FILL}
            stroke="#1b1f24"
            strokeWidth={pad * 0.08 || 2}
            strokeLinejoin="round"
          >
            <title>{titleOf(s)}</title>
          </path>
        );
      })}
    </svg>
  );
}

export function SectorLegend({
  title,
  scale,
  last,
  group,
}: {
  title: string;
  scale: SectorScale;
  /** The closing entry: what an uncoloured sector means. */
  last: { swatch: 'empty' | 'hatched'; label: ReactNode };
  /** Exposed as a named group (the Reports map's legend is; the Area picture's has not been). */
  group?: boolean;
}) {
  return (
    <div className="legend" {...(group ? { role: 'group' } : {})} aria-label="Legend">
      <span className="legend-title">{title}</span>
      {scale.ranges.map(([from, to], i) => (
        <span key={i} className="legend-item">
          <span className="swatch" style={{ background: scale.colourOf(i) }} />
          {from === to ? from : `${from}–${to}`}
        </span>
      ))}
      <span className="legend-item">
        {last.swatch === 'hatched' ? <span className="swatch swatch-hatched" /> : <span className="swatch" style={{ background: EMPTY_FILL }} />}
        {last.label}
      </span>
    </div>
  );
}
