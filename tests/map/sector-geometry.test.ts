/**
 * The shipped sector map (resources/reference/sector-map/): it covers England and Wales with valid
 * outlines, neighbours do not overlap, live postcodes lie in their own sector's outline (checked
 * against the raw files when ../shared is there), and map.sectorShapes reads only the areas it
 * is asked for and refuses anything that is not an area code. Plus the union step on hand-made cells.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'csv-parse/sync';
import { chainRings, pointInRing, polygonsOf, signedArea } from '../../src-main/reference/sector-cells.ts';
import { projectToArea, ringsOfPath, sectorPaths } from '../../src-main/core/sector-paths.ts';
import { forgetSectorMaps, loadAreaShapes, sectorMapFile } from '../../src-main/db/map.ts';
import { callOk, testContext } from '../helpers.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const mapDir = path.join(root, 'resources', 'reference', 'sector-map');
const index = JSON.parse(fs.readFileSync(path.join(mapDir, 'index.json'), 'utf8')) as {
  meta: { attribution: string; licence: string; postcodes: number; sectors: number };
  areas: Record<string, { sectors: number; bytes: number; withoutShape: string[] }>;
};
const shared = path.resolve(root, '..', 'shared', 'data');
const nationalFile = path.join(shared, 'national', 'postcode-lsoa-ew-derived-may2025.csv.gz');
const nsplDir = path.join(shared, 'nspl-nov2021');

function areaPaths(area: string) {
  return sectorPaths(JSON.parse(zlib.brotliDecompressSync(fs.readFileSync(sectorMapFile(mapDir, area))).toString('utf8')));
}

/** Even-odd over all of a sector's rings, as the map draws it. */
function inside(x: number, y: number, rings: [number, number][][]): boolean {
  return rings.filter((ring) => pointInRing(x, y, ring)).length % 2 === 1;
}

describe('the union of cells', () => {
  const square = (x: number, y: number): [number, number, number, number][] => [
    [x, y, x + 1, y],
    [x + 1, y, x + 1, y + 1],
    [x + 1, y + 1, x, y + 1],
    [x, y + 1, x, y],
  ];
  const union = (cells: [number, number, number, number][][]) => {
    // The shared edge cancels as the build does it: a reversed edge removes its twin.
    const edges = new Map<string, [number, number, number, number]>();
    for (const e of cells.flat()) {
      const reverse = `${e[2]},${e[3]},${e[0]},${e[1]}`;
      if (edges.has(reverse)) edges.delete(reverse);
      else edges.set(e.join(','), e);
    }
    return chainRings([...edges.values()]);
  };

  it('merges two squares that share an edge into one outline, keeping every vertex, and keeps a separate one apart', () => {
    const rings = union([square(0, 0), square(1, 0), square(5, 5)]);
    expect(rings).toHaveLength(2);
    const sorted = rings.map((r) => r.map((p) => p.join(',')).sort());
    // The middle vertices stay: the neighbour's border has them too (simplification drops them later).
    expect(sorted).toContainEqual(['0,0', '0,1', '1,0', '1,1', '2,0', '2,1']);
    expect(sorted).toContainEqual(['5,5', '5,6', '6,5', '6,6']);
  });

  it('makes a ring of eight squares one polygon with a hole, outside counter-clockwise', () => {
    const cells = [];
    for (let x = 0; x < 3; x++) for (let y = 0; y < 3; y++) if (x !== 1 || y !== 1) cells.push(square(x, y));
    const polygons = polygonsOf(union(cells), 1);
    expect(polygons).toHaveLength(1);
    expect(polygons[0]).toHaveLength(2);
    expect(signedArea(polygons[0]![0]!)).toBe(9);
    expect(signedArea(polygons[0]![1]!)).toBe(-1);
  });
});

describe('the shipped sector map', () => {
  it('covers England and Wales, with provenance', () => {
    const areas = Object.keys(index.areas);
    expect(areas.length).toBeGreaterThan(100);
    for (const a of ['M', 'NE', 'TR', 'CF', 'SE', 'LL', 'CA', 'ME', 'DT', 'WC']) expect(areas).toContain(a);
    expect(index.meta.sectors).toBeGreaterThan(8500);
    expect(index.meta.licence).toBe('Open Government Licence v3.0');
    expect(index.meta.attribution).toContain('Office for National Statistics');
    expect(index.meta.attribution).toContain('Royal Mail');
    // Every area's file is there and is far under the 50 MB a file may be.
    for (const [area, a] of Object.entries(index.areas)) expect(fs.statSync(sectorMapFile(mapDir, area)).size).toBe(a.bytes);
    expect(Math.max(...Object.values(index.areas).map((a) => a.bytes))).toBeLessThan(1_000_000);
  });

  it.each(['M14 4', 'NE1 4', 'TR1 2', 'CF10 1', 'LL57 2', 'SE13 6'])('has %s as valid closed polygons', (sector) => {
    const area = /^[A-Z]+/.exec(sector)![0];
    const shape = areaPaths(area).sectors.find((s) => s.sector === sector)!;
    expect(shape, sector).toBeDefined();
    expect(shape.d).toMatch(/^(M-?\d+ -?\d+l[-\d ]+z)+$/);
    const rings = ringsOfPath(shape.d);
    expect(rings.length).toBeGreaterThan(0);
    for (const ring of rings) {
      expect(ring.length).toBeGreaterThanOrEqual(3);
      expect(Math.abs(signedArea(ring))).toBeGreaterThan(0);
    }
    // A sector is a neighbourhood, not a speck and not a county: between 0.02 and 400 km².
    const km2 = (rings.reduce((s, r) => s + signedArea(r), 0) * 100) / 1e6;
    expect(Math.abs(km2)).toBeGreaterThan(0.02);
    expect(Math.abs(km2)).toBeLessThan(400);
  });

  it.each(['M', 'CF', 'TR', 'WC'])('has no material overlap between neighbouring sectors in %s', (area) => {
    const { sectors } = areaPaths(area);
    const rings = sectors.map((s) => ({ box: s.bbox, rings: ringsOfPath(s.d) }));
    const all: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const { bbox } of sectors) {
      all[0] = Math.min(all[0], bbox[0]);
      all[1] = Math.min(all[1], bbox[1]);
      all[2] = Math.max(all[2], bbox[2]);
      all[3] = Math.max(all[3], bbox[3]);
    }
    let covered = 0;
    let overlapping = 0;
    // A 120 × 120 sample grid over the area, offset so points rarely sit exactly on a vertex.
    for (let i = 0; i < 120; i++) {
      for (let j = 0; j < 120; j++) {
        const x = all[0] + ((i + 0.37) * (all[2] - all[0])) / 120;
        const y = all[1] + ((j + 0.61) * (all[3] - all[1])) / 120;
        const hits = rings.filter((r) => x >= r.box[0] && x <= r.box[2] && y >= r.box[1] && y <= r.box[3] && inside(x, y, r.rings)).length;
        if (hits > 0) covered++;
        if (hits > 1) overlapping++;
      }
    }
    expect(covered).toBeGreaterThan(1000);
    expect(overlapping / covered).toBeLessThan(0.002);
  });
});

describe.skipIf(!fs.existsSync(nationalFile) || !fs.existsSync(nsplDir))('the sector map against the raw postcode files', () => {
  it('puts (nearly) every live postcode of the NSPL Nov 2021 English areas inside its own sector, and no sector that has none', async () => {
    const areas = ['DT', 'HG', 'HR', 'SM', 'TF', 'WC', 'WN'];
    const coordinates = new Map<string, { lat: number; long: number }>();
    const lines = readline.createInterface({ input: fs.createReadStream(nationalFile).pipe(zlib.createGunzip()) });
    for await (const line of lines) {
      const [pc, lat, long] = line.split(',');
      if (pc && areas.includes(/^[A-Z]+/.exec(pc)?.[0] ?? '')) coordinates.set(pc, { lat: Number(lat), long: Number(long) });
    }
    let counted = 0;
    let own = 0;
    let elsewhere = 0;
    for (const area of areas) {
      const rows = parse(fs.readFileSync(path.join(nsplDir, `NSPL_NOV_2021_UK_${area}.csv`), 'utf8'), { columns: true }) as Record<string, string>[];
      const live = rows.filter((r) => !r.doterm?.trim() && coordinates.has(r.pcds!));
      const { origin, sectors } = areaPaths(area);
      const shapes = new Map(sectors.map((s) => [s.sector, { box: s.bbox, rings: ringsOfPath(s.d) }]));
      // Every outline is of a sector with postcodes not terminated by November 2021 (new ones since included).
      const terminated = new Set(rows.filter((r) => r.doterm?.trim()).map((r) => r.pcds!));
      const liveSectors = new Set([...coordinates.keys()].filter((pc) => pc.startsWith(area) && !terminated.has(pc)).map((pc) => pc.slice(0, -2)));
      expect([...shapes.keys()].filter((s) => !liveSectors.has(s))).toEqual([]);
      for (const r of live) {
        const sector = r.pcds!.slice(0, -2);
        if (!shapes.has(sector)) continue;
        counted++;
        const [x, y] = projectToArea(coordinates.get(r.pcds!)!, origin);
        for (const [s, shape] of shapes) {
          const hit = x >= shape.box[0] && x <= shape.box[2] && y >= shape.box[1] && y <= shape.box[3] && inside(x, y, shape.rings);
          if (hit && s === sector) own++;
          else if (hit) elsewhere++;
        }
      }
    }
    expect(counted).toBeGreaterThan(35_000);
    // Simplification and the stray filter move a few postcodes near a border into the neighbour.
    expect(own / counted).toBeGreaterThan(0.95);
    expect(elsewhere / counted).toBeLessThan(0.05);
  }, 120_000);
});

describe('map.sectorShapes', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    forgetSectorMaps();
  });

  it('reads and returns only the areas asked for, and lists every area that has shapes', async () => {
    forgetSectorMaps();
    const reads = vi.spyOn(fs, 'readFileSync');
    const ctx = testContext();
    const out = await callOk(ctx, 'map.sectorShapes', { areas: ['m'] });
    expect(out.available).toBe(true);
    expect(out.shapes.length).toBe(index.areas.M!.sectors);
    expect(new Set(out.shapes.map((s) => s.area))).toEqual(new Set(['M']));
    expect(out.areas.map((a) => a.area)).toEqual(Object.keys(index.areas));
    const mapFiles = reads.mock.calls.map((c) => String(c[0])).filter((f) => f.includes(`${path.sep}sector-map${path.sep}`));
    expect(mapFiles.map((f) => path.basename(f)).sort()).toEqual(['M.topojson.br', 'index.json']);
    // Asked again, M comes from memory.
    await callOk(ctx, 'map.sectorShapes', { areas: ['M'] });
    expect(reads.mock.calls.filter((c) => String(c[0]).endsWith('M.topojson.br'))).toHaveLength(1);
    const none = await callOk(ctx, 'map.sectorShapes', { areas: ['ZZ'] });
    expect(none.shapes).toEqual([]);
  });

  it('refuses anything that is not a postcode area, and never opens a path made from input', async () => {
    const ctx = testContext();
    for (const bad of ['T1', '../etc', 'ABC', 'M/', '']) {
      await expect(callOk(ctx, 'map.sectorShapes', { areas: [bad] })).rejects.toThrow('A postcode area is one or two letters');
    }
    await expect(callOk(ctx, 'map.sectorShapes', { areas: Array(21).fill('M') })).rejects.toThrow('at most 20');
    expect(() => sectorMapFile(mapDir, '../x')).toThrow('Not a postcode area');
    expect(() => loadAreaShapes(mapDir, 'M1')).toThrow('Not a postcode area');
  });
});
