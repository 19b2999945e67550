/**
 * Builds resources/reference/sector-map/: approximate outlines of every postcode sector in England
 * and Wales for the offline map, one brotli-compressed TopoJSON file per postcode area
 * (`M.topojson.br`…) plus `index.json` (areas, sector counts, provenance). Run by
 * `npm run reference:build` (or alone: `npm run reference:sectors`) when the data changes; the
 * output is committed.
 *
 * Input: ../shared/data/national/postcode-lsoa-ew-derived-may2025.csv.gz (pcds, lat, long of every
 * NSPL May 2025 postcode with coordinates, live and terminated alike). Postcodes that the NSPL
 * November 2021 files in ../shared/data/nspl-nov2021 show as terminated are left out (the national
 * file cannot tell them apart elsewhere; see sector-cells.ts for the speck filter that catches most).
 *
 * Outlines: sector-cells.ts (Voronoi cells of the centroids, merged per sector, on a ~10 m grid).
 * Then per postcode area: topojson-server finds the borders sectors share (each stored once, as
 * an arc), topojson-simplify removes the points whose Visvalingam triangle is under a pixel² of
 * the area drawn --width-px wide (MAP_WIDTH_PX) from every arc — so both sides of a border move
 * together and neighbours never gap or overlap — and rings that shrink to nothing are dropped.
 *
 *   npx tsx src-main/reference/build-sector-geometry.ts [--shared DIR] [--out DIR] [--width-px N]
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { topology } from 'topojson-server';
import { filter, filterWeight, presimplify, simplify } from 'topojson-simplify';
import { quantize } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import {
  GRID,
  UNIT_X,
  UNIT_Y,
  EMPTY_MIN_DISTANCE_METRES,
  STRAY_SHARE,
  areaOf,
  sectorCells,
  sectorOf,
  type PostcodePoints,
  type SectorOutline,
} from './sector-cells.ts';

/**
 * Simplification is fitted to how the map is drawn: a whole postcode area across the figure, and
 * at most MAP_WIDTH_PX wide (the Reports map's "Save map as PNG"). A point goes when the triangle
 * it makes with its neighbours is under one pixel² at that width — about 4 m² in WC, 800 m² in M,
 * 4,000 m² in LD — so nothing the eye could see is lost and rural areas are not drawn in needless detail.
 */
export const MAP_WIDTH_PX = 1600;
export const SECTOR_MAP_DIR = 'sector-map';
const SECTOR_CODE = /^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9]$/;
export const NATIONAL_FILE = 'postcode-lsoa-ew-derived-may2025.csv.gz';

export const ATTRIBUTION =
  'Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data © Crown copyright and database right 2025. Contains Royal Mail data © Royal Mail copyright and database right 2025. Contains GeoPlace data © Local Government Information House Limited copyright and database right 2025.';

/** Reads the national postcode file: every postcode with a centroid, less those known to be terminated. */
export async function readNationalPostcodes(file: string, terminated: ReadonlySet<string>): Promise<PostcodePoints & { leftOutTerminated: number }> {
  const lat: number[] = [];
  const long: number[] = [];
  const sector: number[] = [];
  const sectors: string[] = [];
  const sectorIds = new Map<string, number>();
  let leftOutTerminated = 0;
  const parser = parse({ columns: true });
  parser.on('data', (row: Record<string, string>) => {
    const la = Number(row.lat);
    const lo = Number(row.long);
    if (!row.pcds || !Number.isFinite(la) || !Number.isFinite(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180) return;
    if (terminated.has(row.pcds)) {
      leftOutTerminated++;
      return;
    }
    const s = sectorOf(row.pcds);
    // Pre-1984 Newport postcodes ("NPT 1AA") and other relics of no postcode area today are left out.
    if (!SECTOR_CODE.test(s)) return;
    let id = sectorIds.get(s);
    if (id === undefined) sectorIds.set(s, (id = sectors.push(s) - 1));
    lat.push(la);
    long.push(lo);
    sector.push(id);
  });
  await pipeline(fs.createReadStream(file), zlib.createGunzip(), parser);
  return { lat: Float64Array.from(lat), long: Float64Array.from(long), sector: Int32Array.from(sector), sectors, leftOutTerminated };
}

/** Postcodes the NSPL November 2021 files show as terminated (`doterm` set), if those files are there. */
export async function readKnownTerminated(nsplDir: string): Promise<{ postcodes: Set<string>; files: string[] }> {
  const postcodes = new Set<string>();
  if (!fs.existsSync(nsplDir)) return { postcodes, files: [] };
  const files = fs
    .readdirSync(nsplDir)
    .filter((f) => f.endsWith('.csv'))
    .sort();
  for (const f of files) {
    const parser = parse({ columns: true });
    parser.on('data', (row: Record<string, string>) => {
      if ((row.doterm ?? '').trim() !== '' && row.pcds) postcodes.add(row.pcds);
    });
    await pipeline(fs.createReadStream(path.join(nsplDir, f)), parser);
  }
  return { postcodes, files };
}

export interface AreaTopology {
  area: string;
  topology: Topology;
  sectors: number;
  /** Sectors whose outline shrank to nothing in simplification. */
  lost: string[];
  /** The simplification threshold used. */
  minAreaM2: number;
  vertices: number;
  arcs: number;
}

/** One postcode area's outlines as simplified TopoJSON in WGS84 degrees (object `sectors`, feature id = sector code). */
export function areaTopology(area: string, outlines: readonly SectorOutline[], widthPx: number): AreaTopology {
  const collection: GeoJSON.FeatureCollection<GeoJSON.MultiPolygon> = {
    type: 'FeatureCollection',
    features: outlines.map((o) => ({
      type: 'Feature',
      id: o.sector,
      properties: { postcodes: o.postcodes },
      geometry: { type: 'MultiPolygon', coordinates: o.polygons },
    })),
  };
  const grid = topology({ sectors: collection }) as Topology<{ sectors: TopoJSON.GeometryCollection<{ postcodes: number }> }>;
  const [gx0, gy0, gx1, gy1] = grid.bbox!;
  const pixelMetres = Math.max((gx1 - gx0) * UNIT_X, (gy1 - gy0) * UNIT_Y) / widthPx;
  const minAreaM2 = widthPx > 0 ? pixelMetres ** 2 : 0;
  const simplified = simplify(presimplify(grid), minAreaM2 / (UNIT_X * UNIT_Y));
  // Rings that shrank below one grid cell (their arcs reduced to a line or a point) are dropped.
  const cleaned = filter(simplified, filterWeight(simplified, 1));
  const q = quantize(cleaned, { scale: [1, 1], translate: [0, 0] });
  // The grid is linear in degrees, so one transform turns it into longitude/latitude.
  q.transform = { scale: [GRID.lon, GRID.lat], translate: [GRID.lon0, GRID.lat0] };
  const [bx0, by0, bx1, by1] = q.bbox!;
  q.bbox = [GRID.lon0 + bx0 * GRID.lon, GRID.lat0 + by0 * GRID.lat, GRID.lon0 + bx1 * GRID.lon, GRID.lat0 + by1 * GRID.lat].map((x) => round(x, 6)) as [
    number,
    number,
    number,
    number,
  ];
  const sectorsObject = q.objects.sectors as TopoJSON.GeometryCollection;
  const kept = sectorsObject.geometries.filter((g) => g.type !== null);
  const lost = sectorsObject.geometries.filter((g) => g.type === null).map((g) => String(g.id));
  sectorsObject.geometries = kept;
  return { area, topology: q, sectors: kept.length, lost, minAreaM2, vertices: q.arcs.reduce((s, a) => s + a.length, 0), arcs: q.arcs.length };
}

function round(value: number, places: number): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}

export function compress(json: string): Buffer {
  return zlib.brotliCompressSync(Buffer.from(json), {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: json.length },
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { shared: { type: 'string' }, out: { type: 'string' }, 'width-px': { type: 'string' } } });
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dataDir = path.join(values.shared ?? path.resolve(root, '..', 'shared'), 'data');
  const outDir = values.out ?? path.join(root, 'resources', 'reference', SECTOR_MAP_DIR);
  const widthPx = Number(values['width-px'] ?? MAP_WIDTH_PX);
  const input = path.join(dataDir, 'national', NATIONAL_FILE);
  if (!fs.existsSync(input)) {
    console.error(`No national postcode file at ${input}; pass --shared DIR (the folder holding data/).`);
    process.exit(1);
  }
  if (!(widthPx >= 0)) {
    console.error('--width-px must be a number of pixels (0 keeps every point).');
    process.exit(2);
  }
  const t0 = performance.now();
  const known = await readKnownTerminated(path.join(dataDir, 'nspl-nov2021'));
  const points = await readNationalPostcodes(input, known.postcodes);
  const t1 = performance.now();
  const cells = sectorCells(points);
  const t2 = performance.now();

  const byArea = new Map<string, SectorOutline[]>();
  for (const o of cells.outlines) {
    const list = byArea.get(areaOf(o.sector));
    if (list) list.push(o);
    else byArea.set(areaOf(o.sector), [o]);
  }
  const withoutShapeByArea = new Map<string, string[]>();
  for (const w of cells.withoutShape) withoutShapeByArea.set(areaOf(w.sector), [...(withoutShapeByArea.get(areaOf(w.sector)) ?? []), w.sector]);

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const areas: Record<string, { file: string; sectors: number; postcodes: number; bytes: number; vertices: number; withoutShape: string[] }> = {};
  const byNumber = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  let totalBytes = 0;
  let totalVertices = 0;
  let unsimplifiedVertices = 0;
  const minAreas: number[] = [];
  for (const [area, outlines] of [...byArea].sort(([a], [b]) => a.localeCompare(b))) {
    outlines.sort((a, b) => byNumber(a.sector, b.sector));
    unsimplifiedVertices += outlines.reduce((s, o) => s + o.polygons.reduce((t, p) => t + p.reduce((u, r) => u + r.length - 1, 0), 0), 0);
    const built = areaTopology(area, outlines, widthPx);
    minAreas.push(built.minAreaM2);
    const file = `${area}.topojson.br`;
    const bytes = compress(JSON.stringify(built.topology));
    fs.writeFileSync(path.join(outDir, file), bytes);
    const withoutShape = [...(withoutShapeByArea.get(area) ?? []), ...built.lost].sort(byNumber);
    areas[area] = {
      file,
      sectors: built.sectors,
      postcodes: outlines.reduce((s, o) => s + o.postcodes, 0),
      bytes: bytes.length,
      vertices: built.vertices,
      withoutShape,
    };
    totalBytes += bytes.length;
    totalVertices += built.vertices;
  }
  const t3 = performance.now();
  const sectorCount = Object.values(areas).reduce((s, a) => s + a.sectors, 0);
  const shapeless = Object.values(areas).reduce((s, a) => s + a.withoutShape.length, 0);
  const index = {
    meta: {
      title: 'Approximate postcode sector outlines for England and Wales (Voronoi cells of unit postcode centroids, merged by sector)',
      builtBy: 'src-main/reference/build-sector-geometry.ts',
      builtFrom: `../shared/data/national/${NATIONAL_FILE} (pcds, lat, long)${known.files.length ? `; terminated postcodes left out where ../shared/data/nspl-nov2021 (${known.files.length} areas) knows them` : ''}`,
      source: 'ONS National Statistics Postcode Lookup (NSPL), May 2025: postcode centroids',
      licence: 'Open Government Licence v3.0',
      attribution: ATTRIBUTION,
      format:
        'One TopoJSON file per postcode area, brotli-compressed; object "sectors", a feature per sector (id = sector code, properties.postcodes); coordinates decode to WGS84 longitude/latitude.',
      approximation: `Sector outlines are approximations (Voronoi cells of postcode centroids, cut back where no postcode lies within ${EMPTY_MIN_DISTANCE_METRES / 1000} km; simplified), not official boundaries.`,
      simplification: `Visvalingam (topojson-simplify, shared borders simplified once): a point goes when its triangle is under one pixel² of the area drawn ${widthPx} px wide`,
      terminated: `The national file cannot tell terminated postcodes from live ones: ${points.leftOutTerminated} known from NSPL Nov 2021 were left out; elsewhere they are used, but where a centroid is shared the sector that most stands on its own owns it, and ${cells.stats.straySites} stray centroids (under ${STRAY_SHARE * 100}% of their neighbours in their own sector) joined their neighbours' sector: ${cells.stats.postcodesInAnotherSector} postcodes in all are drawn inside another sector's outline.`,
      postcodes: points.lat.length,
      sectors: sectorCount,
      sectorsWithoutShape: shapeless,
    },
    areas,
  };
  fs.writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(index, null, 1) + '\n');
  const largest = Object.entries(areas).sort((a, b) => b[1].bytes - a[1].bytes)[0]!;
  console.log(
    JSON.stringify(
      {
        out: path.relative(root, outDir),
        areas: Object.keys(areas).length,
        sectors: sectorCount,
        sectorsWithoutShape: shapeless,
        leftOutTerminated: points.leftOutTerminated,
        ...cells.stats,
        widthPx,
        minAreaM2: { smallest: Math.round(Math.min(...minAreas)), largest: Math.round(Math.max(...minAreas)) },
        unsimplifiedVertices,
        vertices: totalVertices,
        bytes: totalBytes,
        largestArea: { area: largest[0], bytes: largest[1].bytes, vertices: largest[1].vertices, sectors: largest[1].sectors },
        seconds: {
          read: round((t1 - t0) / 1000, 1),
          cells: round((t2 - t1) / 1000, 1),
          topology: round((t3 - t2) / 1000, 1),
          total: round((t3 - t0) / 1000, 1),
        },
      },
      null,
      2,
    ),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
