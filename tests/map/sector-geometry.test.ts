/**
 * The shipped sector outlines against the raw NSPL rows they were built from: every sector with a
 * live postcode has a shape, and (almost) every live postcode lies inside its own sector's shape
 * and no other. Plus the union step on hand-made cells, and the reports.sectorShapes call.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRID_METRES, areaOf, chainRings, project, readNspl } from '../../src-main/reference/build-sector-geometry.ts';
import { callOk, testContext } from '../helpers.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const geometry = JSON.parse(fs.readFileSync(path.join(root, 'resources', 'reference', 'sector-geometry.json'), 'utf8')) as {
  meta: { attribution: string; licence: string; unitMetres: number };
  areas: Record<string, { origin: { lat: number; long: number }; sectors: Record<string, { d: string; bbox: number[] }>; withoutShape: string[] }>;
};
const nsplDir = path.resolve(root, '..', 'shared', 'data', 'nspl-nov2021');

/** Rings of a path written as "M x y l dx dy … z" (what the build writes). */
function ringsOf(d: string): [number, number][][] {
  return [...d.matchAll(/M(-?\d+) (-?\d+)l([^z]*)z/g)].map((m) => {
    const steps = m[3]!.match(/-?\d+/g)!.map(Number);
    const ring: [number, number][] = [[Number(m[1]), Number(m[2])]];
    for (let i = 0; i < steps.length; i += 2) {
      const [x, y] = ring[ring.length - 1]!;
      ring.push([x + steps[i]!, y + steps[i + 1]!]);
    }
    return ring;
  });
}

/** Even-odd rule, as the map draws it (holes included). */
function inside(x: number, y: number, rings: [number, number][][]): boolean {
  let result = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) result = !result;
    }
  }
  return result;
}

describe('chainRings', () => {
  it('merges two squares that share an edge into one outline, and keeps a separate one apart', () => {
    const square = (x: number, y: number): [number, number, number, number][] => [
      [x, y, x + 1, y],
      [x + 1, y, x + 1, y + 1],
      [x + 1, y + 1, x, y + 1],
      [x, y + 1, x, y],
    ];
    // The shared edge cancels as the build does it: a reversed edge removes its twin.
    const edges = new Map<string, [number, number, number, number]>();
    for (const e of [...square(0, 0), ...square(1, 0), ...square(5, 5)]) {
      const reverse = `${e[2]},${e[3]},${e[0]},${e[1]}`;
      if (edges.has(reverse)) edges.delete(reverse);
      else edges.set(e.join(','), e);
    }
    const rings = chainRings([...edges.values()]);
    expect(rings).toHaveLength(2);
    const sorted = rings.map((r) => r.map((p) => p.join(',')).sort());
    expect(sorted).toContainEqual(['0,0', '0,1', '2,0', '2,1']);
    expect(sorted).toContainEqual(['5,5', '5,6', '6,5', '6,6']);
  });
});

describe.skipIf(!fs.existsSync(nsplDir))('sector-geometry.json against the NSPL files', () => {
  // The describe body runs even when skipped, and a user's clone has no ../shared.
  const postcodes = fs.existsSync(nsplDir)
    ? fs
        .readdirSync(nsplDir)
        .filter((f) => f.endsWith('.csv'))
        .flatMap((f) => readNspl(fs.readFileSync(path.join(nsplDir, f), 'utf8')))
    : [];

  it('has a shape for every sector with a live postcode that has coordinates, bar a few listed, and no others', () => {
    const expected = [...new Set(postcodes.map((p) => p.sector))].sort();
    const shipped = Object.values(geometry.areas).flatMap((a) => Object.keys(a.sectors));
    const shapeless = Object.values(geometry.areas).flatMap((a) => a.withoutShape);
    expect(shipped.filter((s) => shapeless.includes(s))).toEqual([]);
    expect([...shipped, ...shapeless].sort()).toEqual(expected);
    // Only sectors that share centroids with others (PO boxes, large users) may go without.
    expect(shapeless.length).toBeLessThan(expected.length * 0.05);
    expect(geometry.meta.unitMetres).toBe(GRID_METRES);
    expect(geometry.meta.licence).toBe('Open Government Licence v3.0');
    expect(geometry.meta.attribution).toContain('Office for National Statistics');
  });

  it('puts live postcodes inside their own sector and outside the others', () => {
    const rings = new Map<string, [number, number][][]>();
    const boxes = new Map<string, number[]>();
    for (const area of Object.values(geometry.areas)) {
      for (const [s, shape] of Object.entries(area.sectors)) {
        rings.set(s, ringsOf(shape.d));
        boxes.set(s, shape.bbox);
      }
    }
    let own = 0;
    let elsewhere = 0;
    // Where postcodes of two sectors share one centroid only one can own the spot: leave those out.
    const sectorsAt = new Map<string, Set<string>>();
    for (const p of postcodes) {
      const key = `${p.lat},${p.long}`;
      sectorsAt.set(key, (sectorsAt.get(key) ?? new Set()).add(p.sector));
    }
    const contains = (sector: string, x: number, y: number) => {
      const box = boxes.get(sector)!;
      return x >= box[0]! && y >= box[1]! && x <= box[2]! && y <= box[3]! && inside(x, y, rings.get(sector)!);
    };
    let counted = 0;
    for (const p of postcodes) {
      if (!rings.has(p.sector) || sectorsAt.get(`${p.lat},${p.long}`)!.size > 1) continue;
      counted++;
      const area = geometry.areas[areaOf(p.sector)]!;
      const [mx, my] = project(p, area.origin);
      const [x, y] = [mx / GRID_METRES, my / GRID_METRES];
      if (contains(p.sector, x, y)) own++;
      for (const other of Object.keys(area.sectors)) if (other !== p.sector && contains(other, x, y)) elsewhere++;
    }
    // Rounding to the 20 m grid moves a handful across a border.
    expect(counted).toBeGreaterThan(postcodes.length * 0.97);
    expect(own / counted).toBeGreaterThan(0.995);
    expect(elsewhere / counted).toBeLessThan(0.005);
  });
});

describe('reports.sectorShapes', () => {
  it('returns the chosen areas’ outlines and every area with shapes, and refuses a bad area', async () => {
    const ctx = testContext();
    const out = await callOk(ctx, 'reports.sectorShapes', { areas: ['tf'] });
    expect(out.available).toBe(true);
    expect(out.shapes.length).toBe(Object.keys(geometry.areas.TF!.sectors).length);
    expect(new Set(out.shapes.map((s) => s.area))).toEqual(new Set(['TF']));
    expect(out.areas.map((a) => a.area)).toEqual(Object.keys(geometry.areas));
    const none = await callOk(ctx, 'reports.sectorShapes', { areas: ['SE'] });
    expect(none.shapes).toEqual([]);
    await expect(callOk(ctx, 'reports.sectorShapes', { areas: ['T1'] })).rejects.toThrow('A postcode area is one or two letters');
  });
});
