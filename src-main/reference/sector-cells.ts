/**
 * The geometric half of the sector-map build: from unit-postcode centroids to one outline per
 * postcode sector, in whole grid units of a national plane (no files read or written here).
 *
 * Method (as the earlier 18-area build, now run once for all of England and Wales):
 *  1. postcodes sharing a centroid become one site (see ownerOfSites for which sector owns it);
 *  2. the plane is cut into Voronoi cells (d3-delaunay) of the sites plus unowned "empty" sites
 *     laid where no postcode is within EMPTY_MIN_DISTANCE_METRES (sea, moor, the Scottish side
 *     of the border), so cells at coasts and outer edges stop a short way past the last postcode;
 *  3. a stray site — under STRAY_SHARE of its Voronoi neighbours in its own sector — is given to
 *     the sector most of its neighbours are in (two passes). The national file cannot tell
 *     terminated postcodes from live ones, and terminated ones of recoded sectors lie scattered
 *     among the live postcodes that replaced them, cutting live sectors into specks. Measured on
 *     the seven English areas whose termination dates are known (NSPL Nov 2021), with the
 *     terminated postcodes left in: 96.2% of live postcodes still lie in their own sector's
 *     outline (97.2% with only live postcodes and no filter) and the outlines have fewer rings
 *     (265 against 330). Postcodes recoded in place are handled in step 1;
 *  4. each sector is the union of its sites' cells, exact after rounding every cell vertex to the
 *     grid: an edge that two cells of one sector share appears once each way and cancels.
 *
 * The grid is linear in longitude and latitude (GRID below), so the TopoJSON written from it
 * decodes to true WGS84 degrees; the Voronoi step works in metres of an equirectangular plane
 * true to scale at 52.5°N (5–7% stretched east–west at the far north and south, which only tilts
 * cell borders slightly: every postcode still lies in its own cell).
 */
import { Delaunay } from 'd3-delaunay';

/** Grid cell in degrees (about 10 m × 11 m) and the grid's origin (south-west of Scilly). */
export const GRID = { lon: 0.00015, lat: 0.0001, lon0: -7, lat0: 49.5 } as const;
/** Metres per degree of latitude (spherical Earth, as NSPL's coordinates warrant). */
export const METRES_PER_DEGREE = (Math.PI / 180) * 6_371_000;
const PLANE_COS = Math.cos((52.5 * Math.PI) / 180);
/** Metres per grid unit east and north in the Voronoi plane. */
export const UNIT_X = GRID.lon * METRES_PER_DEGREE * PLANE_COS;
export const UNIT_Y = GRID.lat * METRES_PER_DEGREE;
/** Spacing of the candidate empty sites, and how far from every postcode one must be to be kept. */
export const EMPTY_SPACING_METRES = 1500;
export const EMPTY_MIN_DISTANCE_METRES = 2500;
/** A site with less than this share of its (postcode) neighbours in its own sector is a stray. */
export const STRAY_SHARE = 0.25;
const STRAY_PASSES = 2;

/** Postcodes as parallel arrays (2.4 million objects would cost far more memory). */
export interface PostcodePoints {
  lat: Float64Array;
  long: Float64Array;
  /** Index into `sectors`. */
  sector: Int32Array;
  /** Sector codes ("M14 4"), by index. */
  sectors: string[];
}

/** A sector's outline: polygons of rings in grid units [u east, v north]; the first ring is the outside, counter-clockwise, then holes. */
export type GridPolygon = [number, number][][];

export interface SectorOutline {
  sector: string;
  postcodes: number;
  polygons: GridPolygon[];
}

export interface CellsResult {
  outlines: SectorOutline[];
  /** Sectors with postcodes but no outline (all their sites shared or isolated), with their postcode counts. */
  withoutShape: { sector: string; postcodes: number }[];
  stats: { postcodes: number; sites: number; emptySites: number; straySites: number; postcodesInAnotherSector: number };
}

/** Grid units of a longitude/latitude (not rounded). */
export function toGrid(long: number, lat: number): [number, number] {
  return [(long - GRID.lon0) / GRID.lon, (lat - GRID.lat0) / GRID.lat];
}

/** "TF1 1AA" → "TF1 1". */
export function sectorOf(postcode: string): string {
  return postcode.trim().toUpperCase().replace(/\s+/g, ' ').slice(0, -2);
}
/** "TF1 1" → "TF". */
export function areaOf(sector: string): string {
  return /^[A-Z]+/.exec(sector)?.[0] ?? sector;
}

export function sectorCells(points: PostcodePoints): CellsResult {
  const n = points.lat.length;
  // 1. One site per distinct centroid.
  const siteOfKey = new Map<string, number>();
  const siteX: number[] = [];
  const siteY: number[] = [];
  const siteOfPostcode = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = `${points.lat[i]},${points.long[i]}`;
    let site = siteOfKey.get(key);
    if (site === undefined) {
      site = siteX.length;
      siteOfKey.set(key, site);
      const [u, v] = toGrid(points.long[i]!, points.lat[i]!);
      siteX.push(u * UNIT_X);
      siteY.push(v * UNIT_Y);
    }
    siteOfPostcode[i] = site;
  }
  siteOfKey.clear();
  const realSites = siteX.length;
  const owner = ownerOfSites(points.sector, siteOfPostcode, realSites, points.sectors.length);

  // 2. Empty sites wherever no postcode is near, over the bounding box with a margin.
  const margin = EMPTY_MIN_DISTANCE_METRES * 2;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let s = 0; s < realSites; s++) {
    x0 = Math.min(x0, siteX[s]!);
    y0 = Math.min(y0, siteY[s]!);
    x1 = Math.max(x1, siteX[s]!);
    y1 = Math.max(y1, siteY[s]!);
  }
  [x0, y0, x1, y1] = [x0 - margin, y0 - margin, x1 + margin, y1 + margin];
  const coords = new Float64Array(realSites * 2);
  for (let s = 0; s < realSites; s++) {
    coords[2 * s] = siteX[s]!;
    coords[2 * s + 1] = siteY[s]!;
  }
  const real = new Delaunay(coords);
  const empty: number[] = [];
  let nearest = 0;
  for (let y = y0; y <= y1; y += EMPTY_SPACING_METRES) {
    for (let x = x0; x <= x1; x += EMPTY_SPACING_METRES) {
      nearest = real.find(x, y, nearest);
      if (Math.hypot(siteX[nearest]! - x, siteY[nearest]! - y) > EMPTY_MIN_DISTANCE_METRES) empty.push(x, y);
    }
  }
  const all = new Float64Array(coords.length + empty.length);
  all.set(coords);
  all.set(empty, coords.length);
  const delaunay = new Delaunay(all);
  const voronoi = delaunay.voronoi([x0, y0, x1, y1]);

  // 3. Stray sites join the sector most of their neighbours are in (two passes, as joining can strand others).
  const sectorOfSite = Int32Array.from(owner);
  let straySites = 0;
  for (let pass = 0; pass < STRAY_PASSES; pass++) {
    const before = Int32Array.from(sectorOfSite);
    for (let s = 0; s < realSites; s++) {
      const votes = new Map<number, number>();
      let neighbours = 0;
      for (const t of delaunay.neighbors(s)) {
        if (t >= realSites) continue;
        neighbours++;
        votes.set(before[t]!, (votes.get(before[t]!) ?? 0) + 1);
      }
      if (neighbours === 0 || (votes.get(before[s]!) ?? 0) / neighbours >= STRAY_SHARE) continue;
      votes.delete(before[s]!);
      sectorOfSite[s] = [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
      straySites++;
    }
  }
  let postcodesInAnotherSector = 0;
  for (let i = 0; i < n; i++) if (sectorOfSite[siteOfPostcode[i]!] !== points.sector[i]) postcodesInAnotherSector++;

  // 4. Union per sector.
  const postcodeCount = new Int32Array(points.sectors.length);
  for (let i = 0; i < n; i++) postcodeCount[points.sector[i]!]!++;
  const sitesBySector = groupBy(sectorOfSite, points.sectors.length);
  const sign = cellOrientation(voronoi, realSites);
  const outlines: SectorOutline[] = [];
  const withoutShape: { sector: string; postcodes: number }[] = [];
  points.sectors.forEach((sector, k) => {
    const polygons = unionOfCells(sitesBySector[k] ?? [], voronoi, sign);
    if (polygons.length) outlines.push({ sector, postcodes: postcodeCount[k]!, polygons });
    else if (postcodeCount[k]! > 0) withoutShape.push({ sector, postcodes: postcodeCount[k]! });
  });
  return { outlines, withoutShape, stats: { postcodes: n, sites: realSites, emptySites: empty.length / 2, straySites, postcodesInAnotherSector } };
}

/**
 * Which sector owns a centroid several postcodes share. Where they are all one sector, that one.
 * Where sectors differ, it is nearly always a recoding: the terminated postcode keeps the spot of
 * the live one that replaced it (on the seven areas with known termination dates, 86% of the
 * terminated postcodes that would stray into a neighbour's outline share a centroid with another
 * sector). So the spot goes to the sector that most stands on its own — the largest share of its
 * postcodes at centroids no other sector shares — which a wholly recoded, terminated sector lacks.
 */
function ownerOfSites(sectorOfPostcode: Int32Array, siteOfPostcode: Int32Array, sites: number, sectorCount: number): Int32Array {
  const owner = new Int32Array(sites).fill(-1);
  const mixed = new Uint8Array(sites);
  for (let i = 0; i < siteOfPostcode.length; i++) {
    const s = siteOfPostcode[i]!;
    if (owner[s] === -1) owner[s] = sectorOfPostcode[i]!;
    else if (owner[s] !== sectorOfPostcode[i]) mixed[s] = 1;
  }
  const alone = new Float64Array(sectorCount);
  const total = new Float64Array(sectorCount);
  for (let i = 0; i < siteOfPostcode.length; i++) {
    total[sectorOfPostcode[i]!]!++;
    if (!mixed[siteOfPostcode[i]!]) alone[sectorOfPostcode[i]!]!++;
  }
  const best = new Float64Array(sites).fill(-1);
  for (let i = 0; i < siteOfPostcode.length; i++) {
    const s = siteOfPostcode[i]!;
    if (!mixed[s]) continue;
    const k = sectorOfPostcode[i]!;
    // Share standing alone first; the number of postcodes breaks ties.
    const score = alone[k]! / total[k]! + total[k]! * 1e-9;
    if (score > best[s]!) {
      best[s] = score;
      owner[s] = k;
    }
  }
  return owner;
}

function groupBy(keys: Int32Array, size: number): number[][] {
  const groups: number[][] = new Array(size);
  keys.forEach((k, i) => (groups[k] ??= []).push(i));
  return groups;
}

type Voronoi = ReturnType<Delaunay<Float64Array>['voronoi']>;

/** +1 if d3-delaunay's cells run counter-clockwise in the grid's (east, north) axes, else −1. */
function cellOrientation(voronoi: Voronoi, sites: number): 1 | -1 {
  for (let s = 0; s < sites; s++) {
    const cell = voronoi.cellPolygon(s);
    if (cell && cell.length > 3) return signedArea(cell) > 0 ? 1 : -1;
  }
  return 1;
}

/** The exact union of the sites' cells, rounded to the grid, as polygons with holes. */
export function unionOfCells(sites: readonly number[], voronoi: Voronoi, sign: 1 | -1): GridPolygon[] {
  const edges = new Map<string, [number, number, number, number]>();
  for (const s of sites) {
    const cell = voronoi.cellPolygon(s);
    if (!cell) continue;
    const ring = cell.map(([x, y]) => [Math.round(x / UNIT_X), Math.round(y / UNIT_Y)] as const);
    for (let k = 0; k + 1 < ring.length; k++) {
      const [ax, ay] = ring[k]!;
      const [bx, by] = ring[k + 1]!;
      if (ax === bx && ay === by) continue;
      const reverse = `${bx},${by},${ax},${ay}`;
      if (edges.has(reverse)) edges.delete(reverse);
      else edges.set(`${ax},${ay},${bx},${by}`, [ax, ay, bx, by]);
    }
  }
  return polygonsOf(chainRings([...edges.values()]), sign);
}

/**
 * Joins directed edges end to start into closed rings (not repeating the first point). Every
 * vertex is kept, so a border two sectors share has the same vertices on both sides (the
 * topology step relies on it; simplification later drops the ones on a straight line).
 */
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
    if (ring.length >= 3) rings.push(ring);
  }
  return rings;
}

/**
 * Rings of a union → polygons: a ring turning the cells' way is an outside, the other way a hole,
 * which goes with the smallest outside around it. Outsides come out counter-clockwise (RFC 7946).
 */
export function polygonsOf(rings: [number, number][][], sign: 1 | -1): GridPolygon[] {
  const outsides: { ring: [number, number][]; area: number; holes: [number, number][][] }[] = [];
  const holes: [number, number][][] = [];
  for (const ring of rings) {
    const area = signedArea(ring) * sign;
    if (area > 0) outsides.push({ ring: sign > 0 ? ring : ring.reverse(), area, holes: [] });
    else if (area < 0) holes.push(sign > 0 ? ring : ring.reverse());
  }
  outsides.sort((a, b) => a.area - b.area);
  for (const hole of holes) {
    // The middle of an edge of the hole is strictly inside its outside (edges never coincide).
    const [a, b] = [hole[0]!, hole[1]!];
    const [mx, my] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    outsides.find((o) => pointInRing(mx, my, o.ring))?.holes.push(hole);
  }
  return outsides.map((o) => [close(o.ring), ...o.holes.map(close)]);
}

function close(ring: [number, number][]): [number, number][] {
  return [...ring, ring[0]!];
}

export function signedArea(ring: readonly (readonly [number, number] | number[])[]): number {
  let area = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) area += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!);
  return area / 2;
}

/** Even-odd crossing test. */
export function pointInRing(x: number, y: number, ring: readonly (readonly [number, number] | number[])[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]! as [number, number];
    const [xj, yj] = ring[j]! as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
