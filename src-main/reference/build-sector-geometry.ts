/**
 * Builds resources/reference/sector-geometry.json: an approximate outline of every postcode
 * sector in the ONS NSPL files, for the Reports map (drawn offline, no tile server).
 *
 * Method: each live unit postcode's centroid (NSPL `lat`/`long`) is projected onto a flat plane
 * (equirectangular, true to scale at the postcode area's mean latitude, metres, y pointing south
 * so it is already SVG's orientation); the plane is cut into Voronoi cells (d3-delaunay); each
 * sector is the union of its postcodes' cells. Sea, moor and anything else far from a postcode
 * is filled with unowned "empty" sites, so coastal and rural cells stop a short way past the
 * last postcode instead of running to the edge of the box. The union is exact: after rounding
 * to the output grid, an edge two cells of the same sector share appears once each way and
 * cancels; what remains is chained into rings (holes included; drawn with fill-rule evenodd).
 *
 * The Lewisham lookup has no coordinates, so its sectors get no shape (the map's table lists
 * them as "no map shape").
 *
 *   npx tsx src-main/reference/build-sector-geometry.ts [--shared DIR] [--out FILE]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { Delaunay } from 'd3-delaunay';

/** Output coordinates are whole multiples of this many metres. */
export const GRID_METRES = 20;
/** Spacing of the candidate "empty" sites, and how far from every postcode one must be to be kept. */
const EMPTY_SPACING_METRES = 1500;
const EMPTY_MIN_DISTANCE_METRES = 2500;
const EARTH_RADIUS_METRES = 6_371_000;

export interface UnitPostcode {
  sector: string;
  lat: number;
  long: number;
}

export interface SectorShape {
  /** SVG path data in the area's plane, grid units; rings closed with z; use fill-rule evenodd. */
  d: string;
  /** [minX, minY, maxX, maxY] in grid units. */
  bbox: [number, number, number, number];
  postcodes: number;
}

export interface AreaGeometry {
  /** Latitude/longitude the area's plane is centred on (x east, y south, in grid units). */
  origin: { lat: number; long: number };
  bbox: [number, number, number, number];
  sectors: Record<string, SectorShape>;
  /**
   * Sectors whose postcodes all sit on (or within the grid of) another sector's centroids —
   * mostly "9" sectors of PO boxes and large users — so no cell is left for them.
   */
  withoutShape: string[];
}

/** Metres east and south of `origin`, true to scale at the origin's latitude. */
export function project(p: { lat: number; long: number }, origin: { lat: number; long: number }): [number, number] {
  const scale = (Math.PI / 180) * EARTH_RADIUS_METRES;
  return [(p.long - origin.long) * scale * Math.cos((origin.lat * Math.PI) / 180), -(p.lat - origin.lat) * scale];
}

/** "TF1 1AA" → "TF1 1"; "TF1 1" → "TF". */
export function sectorOf(postcode: string): string {
  return postcode.trim().toUpperCase().replace(/\s+/g, ' ').slice(0, -2);
}
export function areaOf(sector: string): string {
  return /^[A-Z]+/.exec(sector)?.[0] ?? sector;
}

/** The sector outlines of one postcode area's live unit postcodes. */
export function areaGeometry(postcodes: readonly UnitPostcode[]): AreaGeometry {
  // Rounded first, so the stored origin is exactly the one the plane was built from.
  const originLat = round(postcodes.reduce((s, p) => s + p.lat, 0) / postcodes.length, 5);
  const originLong = round(postcodes.reduce((s, p) => s + p.long, 0) / postcodes.length, 5);
  const points = postcodes.map((p) => project(p, { lat: originLat, long: originLong }));

  // Bounds with room for the empty sites around the edge.
  const margin = EMPTY_MIN_DISTANCE_METRES * 2;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const box = [Math.min(...xs) - margin, Math.min(...ys) - margin, Math.max(...xs) + margin, Math.max(...ys) + margin] as const;

  const real = Delaunay.from(points);
  const sites: [number, number][] = points.map((p) => [p[0], p[1]]);
  let nearest = 0;
  for (let y = box[1]; y <= box[3]; y += EMPTY_SPACING_METRES) {
    for (let x = box[0]; x <= box[2]; x += EMPTY_SPACING_METRES) {
      nearest = real.find(x, y, nearest);
      const [px, py] = points[nearest]!;
      if (Math.hypot(px - x, py - y) > EMPTY_MIN_DISTANCE_METRES) sites.push([x, y]);
    }
  }
  const voronoi = Delaunay.from(sites).voronoi([box[0], box[1], box[2], box[3]]);

  // Directed boundary edges per sector: a shared edge arrives once each way and cancels.
  const edgesBySector = new Map<string, Map<string, [number, number, number, number]>>();
  const countBySector = new Map<string, number>();
  postcodes.forEach((p, i) => {
    countBySector.set(p.sector, (countBySector.get(p.sector) ?? 0) + 1);
    const cell = voronoi.cellPolygon(i);
    if (!cell) return;
    let edges = edgesBySector.get(p.sector);
    if (!edges) edgesBySector.set(p.sector, (edges = new Map()));
    const ring = cell.map(([x, y]) => [Math.round(x / GRID_METRES), Math.round(y / GRID_METRES)] as const);
    for (let k = 0; k + 1 < ring.length; k++) {
      const [ax, ay] = ring[k]!;
      const [bx, by] = ring[k + 1]!;
      if (ax === bx && ay === by) continue;
      const reverse = `${bx},${by},${ax},${ay}`;
      if (edges.has(reverse)) edges.delete(reverse);
      else edges.set(`${ax},${ay},${bx},${by}`, [ax, ay, bx, by]);
    }
  });

  const sectors: Record<string, SectorShape> = {};
  const areaBox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [sector, edges] of [...edgesBySector].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) {
    const rings = chainRings([...edges.values()]);
    if (!rings.length) continue;
    const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const ring of rings) {
      for (const [x, y] of ring) {
        bbox[0] = Math.min(bbox[0], x);
        bbox[1] = Math.min(bbox[1], y);
        bbox[2] = Math.max(bbox[2], x);
        bbox[3] = Math.max(bbox[3], y);
      }
    }
    for (let k = 0; k < 4; k++) areaBox[k] = k < 2 ? Math.min(areaBox[k]!, bbox[k]!) : Math.max(areaBox[k]!, bbox[k]!);
    sectors[sector] = { d: rings.map(ringPath).join(''), bbox, postcodes: countBySector.get(sector) ?? 0 };
  }
  const withoutShape = [...countBySector.keys()].filter((sector) => !sectors[sector]).sort();
  return { origin: { lat: originLat, long: originLong }, bbox: areaBox, sectors, withoutShape };
}

/** Joins directed edges end to start into closed rings, dropping vertices that lie straight on between their neighbours. */
export function chainRings(edges: readonly [number, number, number, number][]): [number, number][][] {
  const outgoing = new Map<string, [number, number, number, number][]>();
  for (const e of edges) {
    const key = `${e[0]},${e[1]}`;
    const list = outgoing.get(key);
    if (list) list.push(e);
    else outgoing.set(key, [e]);
  }
  const rings: [number, number][][] = [];
  for (const start of edges) {
    const startList = outgoing.get(`${start[0]},${start[1]}`)!;
    if (!startList.includes(start)) continue; // already used
    const ring: [number, number][] = [];
    let edge: [number, number, number, number] | undefined = start;
    while (edge) {
      const list = outgoing.get(`${edge[0]},${edge[1]}`)!;
      list.splice(list.indexOf(edge), 1);
      ring.push([edge[0], edge[1]]);
      if (edge[2] === start[0] && edge[3] === start[1]) break;
      edge = outgoing.get(`${edge[2]},${edge[3]}`)?.[0];
    }
    const straightened = dropCollinear(ring);
    if (straightened.length >= 3) rings.push(straightened);
  }
  return rings;
}

function dropCollinear(ring: [number, number][]): [number, number][] {
  return ring.filter((p, i) => {
    const a = ring[(i - 1 + ring.length) % ring.length]!;
    const b = ring[(i + 1) % ring.length]!;
    return (p[0] - a[0]) * (b[1] - p[1]) - (p[1] - a[1]) * (b[0] - p[0]) !== 0;
  });
}

/** "M x y l dx dy … z": relative steps keep the file small. */
function ringPath(ring: [number, number][]): string {
  let d = `M${ring[0]![0]} ${ring[0]![1]}l`;
  for (let k = 1; k < ring.length; k++) {
    const dx = ring[k]![0] - ring[k - 1]![0];
    const dy = ring[k]![1] - ring[k - 1]![1];
    d += `${k > 1 && dx >= 0 ? ' ' : ''}${dx}${dy >= 0 ? ' ' : ''}${dy}`;
  }
  return d + 'z';
}

function round(value: number, places: number): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}

/** Live postcodes with a usable centroid (NSPL writes 99.999999 for "no coordinates"). */
export function readNspl(csvText: string): UnitPostcode[] {
  const rows = parse(csvText, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const out: UnitPostcode[] = [];
  for (const row of rows) {
    if ((row.doterm ?? '').trim() !== '') continue;
    const lat = Number(row.lat);
    const long = Number(row.long);
    if (!Number.isFinite(lat) || !Number.isFinite(long) || Math.abs(lat) > 90 || Math.abs(long) > 180) continue;
    if (!row.pcds) continue;
    out.push({ sector: sectorOf(row.pcds), lat, long });
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { shared: { type: 'string' }, out: { type: 'string' } } });
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dataDir = path.join(values.shared ?? path.resolve(root, '..', 'shared'), 'data');
  const out = values.out ?? path.join(root, 'resources', 'reference', 'sector-geometry.json');
  const nsplDir = path.join(dataDir, 'nspl-nov2021');
  if (!fs.existsSync(nsplDir)) {
    console.error(`No NSPL files at ${nsplDir}; pass --shared DIR (the folder holding data/).`);
    process.exit(1);
  }
  const files = fs
    .readdirSync(nsplDir)
    .filter((f) => f.endsWith('.csv'))
    .sort();
  const byArea = new Map<string, UnitPostcode[]>();
  for (const file of files) {
    for (const p of readNspl(fs.readFileSync(path.join(nsplDir, file), 'utf8'))) {
      const area = areaOf(p.sector);
      const list = byArea.get(area);
      if (list) list.push(p);
      else byArea.set(area, [p]);
    }
  }
  const areas: Record<string, AreaGeometry> = {};
  let sectorCount = 0;
  let shapelessCount = 0;
  let postcodeCount = 0;
  for (const [area, postcodes] of [...byArea].sort(([a], [b]) => a.localeCompare(b))) {
    areas[area] = areaGeometry(postcodes);
    sectorCount += Object.keys(areas[area].sectors).length;
    shapelessCount += areas[area].withoutShape.length;
    postcodeCount += postcodes.length;
  }
  // The Lewisham lookup (postcode, lsoa_code) has no coordinates: its sectors stay shapeless.
  const document = {
    meta: {
      title: 'Approximate postcode sector outlines (Voronoi cells of live unit postcode centroids, merged by sector)',
      builtBy: 'src-main/reference/build-sector-geometry.ts',
      builtFrom: `../shared/data/nspl-nov2021: ${files.join(', ')}`,
      source: 'ONS National Statistics Postcode Lookup (NSPL), November 2021: pcds, doterm, lat, long',
      licence: 'Open Government Licence v3.0',
      attribution:
        'Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data © Crown copyright and database right 2021. Contains Royal Mail data © Royal Mail copyright and database right 2021. Contains GeoPlace data © Local Government Information House Limited copyright and database right 2021.',
      projection: `equirectangular per postcode area, true to scale at the area's mean latitude; x east, y south; units of ${GRID_METRES} m from the area's origin`,
      unitMetres: GRID_METRES,
      approximation: `Sector outlines are approximations: Voronoi cells of live postcode centroids, cut back where no postcode lies within ${EMPTY_MIN_DISTANCE_METRES} m. Not official boundaries.`,
      withoutShapes: `Postcodes known only from lewisham_postcode_lsoa11.csv (no coordinates) have no sector shape; nor have ${shapelessCount} sectors whose postcodes all share other sectors' centroids (listed per area in withoutShape).`,
      postcodes: postcodeCount,
      sectors: sectorCount,
    },
    areas,
  };
  fs.writeFileSync(out, JSON.stringify(document));
  console.log(
    `Wrote ${out}: ${byArea.size} areas, ${sectorCount} sectors (${shapelessCount} more without a shape) from ${postcodeCount} live postcodes, ${fs.statSync(out).size} bytes.`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
