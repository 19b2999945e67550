/**
 * Serves the shipped sector outlines (resources/reference/sector-map/, built by
 * src-main/reference/build-sector-geometry.ts) one postcode area at a time: index.json is read
 * once; an area's file is read, decompressed and turned into SVG paths the first time it is asked
 * for, and the last few areas are kept in memory. Only files named after an area listed in the
 * index are ever opened.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { z } from 'zod';
import type { Topology } from 'topojson-specification';
import { PATH_UNIT_METRES, sectorPaths } from '../../core/sector-paths.ts';
import type { mapCalls, SectorShapesOut } from '../contract/map.ts';
import type { AppContext, HandlersFor } from '../context.ts';

const AREA_CODE = /^[A-Z]{1,2}$/;
/** Areas kept decoded in memory (the largest is about 0.2 MB of path text). */
const AREAS_KEPT = 12;

const SectorMapIndex = z.object({
  meta: z.object({ source: z.string(), attribution: z.string(), approximation: z.string() }),
  areas: z.record(z.string().regex(AREA_CODE), z.object({ sectors: z.number().int(), withoutShape: z.array(z.string()) })),
});
type SectorMapIndex = z.infer<typeof SectorMapIndex>;
type Shape = z.input<typeof SectorShapesOut>['shapes'][number];

const indexes = new Map<string, SectorMapIndex | null>();
const areaCache = new Map<string, Shape[]>();

/** The sector map sits beside the shipped reference database in resources/reference/. */
export function sectorMapDir(ctx: AppContext): string | null {
  return ctx.reference ? path.join(path.dirname(ctx.reference.shippedFile), 'sector-map') : null;
}

/** The file of one area: the name is made here from a checked area code, never taken from input or the index. */
export function sectorMapFile(dir: string, area: string): string {
  if (!AREA_CODE.test(area)) throw new Error(`Not a postcode area: ${JSON.stringify(area)}`);
  return path.join(dir, `${area}.topojson.br`);
}

function loadIndex(dir: string | null): SectorMapIndex | null {
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

export const mapHandlers: HandlersFor<typeof mapCalls> = {
  'reports.sectorShapes': (input, ctx): z.input<typeof SectorShapesOut> => {
    const dir = sectorMapDir(ctx);
    const index = loadIndex(dir);
    if (!dir || !index) {
      return { available: false, source: '', attribution: '', approximation: '', unitMetres: 1, areas: [], shapes: [] };
    }
    const wanted = [...new Set(input.areas)].filter((area) => Object.hasOwn(index.areas, area));
    const shapes: Shape[] = [];
    for (const area of wanted) {
      try {
        shapes.push(...loadAreaShapes(dir, area));
      } catch (error) {
        console.error(`[needmap] the ${area} sector map could not be read (${(error as Error).message}).`);
      }
    }
    return {
      available: true,
      source: index.meta.source,
      attribution: index.meta.attribution,
      approximation: index.meta.approximation,
      unitMetres: PATH_UNIT_METRES,
      areas: Object.entries(index.areas).map(([area, a]) => ({ area, sectors: a.sectors })),
      shapes,
    };
  },
};
