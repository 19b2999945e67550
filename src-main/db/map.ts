/**
 * The shipped sector outlines (resources/reference/sector-map/, built by
 * src-main/reference/build-sector-geometry.ts) read one postcode area at a time: index.json is read
 * once; an area's file is read, decompressed and turned into SVG paths the first time it is asked
 * for, and the last few areas are kept in memory. Only files named after an area listed in the
 * index are ever opened.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { z } from 'zod';
import type { Topology } from 'topojson-specification';
import { sectorPaths } from '../core/sector-paths.ts';

const AREA_CODE = /^[A-Z]{1,2}$/;
/** Areas kept decoded in memory (the largest is about 0.2 MB of path text). */
const AREAS_KEPT = 12;

const SectorMapIndex = z.object({
  meta: z.object({ source: z.string(), attribution: z.string(), approximation: z.string() }),
  areas: z.record(z.string().regex(AREA_CODE), z.object({ sectors: z.number().int(), withoutShape: z.array(z.string()) })),
});
export type SectorMapIndex = z.infer<typeof SectorMapIndex>;
/** One sector's outline, as map.sectorShapes returns it: `d` is SVG path data in the area's plane. */
export interface Shape {
  area: string;
  sector: string;
  d: string;
  bbox: [number, number, number, number];
  postcodes: number;
}

const indexes = new Map<string, SectorMapIndex | null>();
const areaCache = new Map<string, Shape[]>();

/** The sector map sits beside the shipped reference database in resources/reference/. */
export function sectorMapDir(shippedReferenceFile: string | null): string | null {
  return shippedReferenceFile ? path.join(path.dirname(shippedReferenceFile), 'sector-map') : null;
}

/** The file of one area: the name is made here from a checked area code, never taken from input or the index. */
export function sectorMapFile(dir: string, area: string): string {
  if (!AREA_CODE.test(area)) throw new Error(`Not a postcode area: ${JSON.stringify(area)}`);
  return path.join(dir, `${area}.topojson.br`);
}

/** The map's index (sources, and the areas with shapes), read once per folder; null when missing or unreadable. */
export function loadIndex(dir: string | null): SectorMapIndex | null {
  if (!dir) return null;
  if (!indexes.has(dir)) {
    try {
      indexes.set(dir, SectorMapIndex.parse(JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'))));
    } catch (error) {
      console.error(`[needmap] ${dir}/index.json could not be read (${(error as Error).message}); the map shows its table only.`);
      indexes.set(dir, null);
    }
  }
  return indexes.get(dir) ?? null;
}

/** One area's outlines as SVG paths, from memory or from its file. */
export function loadAreaShapes(dir: string, area: string): Shape[] {
  const key = sectorMapFile(dir, area);
  const cached = areaCache.get(key);
  if (cached) {
    // Most recently used last, so the oldest is the one dropped.
    areaCache.delete(key);
    areaCache.set(key, cached);
    return cached;
  }
  const topology = JSON.parse(zlib.brotliDecompressSync(fs.readFileSync(key)).toString('utf8')) as Topology;
  const shapes = sectorPaths(topology).sectors.map((s) => ({ area, sector: s.sector, d: s.d, bbox: s.bbox, postcodes: s.postcodes }));
  areaCache.set(key, shapes);
  if (areaCache.size > AREAS_KEPT) areaCache.delete(areaCache.keys().next().value!);
  return shapes;
}

/** Forgets what was read (the bench measures loading from disk). */
export function forgetSectorMaps(): void {
  indexes.clear();
  areaCache.clear();
}
