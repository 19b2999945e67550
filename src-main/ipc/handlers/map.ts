/** Serves the shipped sector outlines, read once per file and kept in memory (about 200 KB). */
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { mapCalls, SectorShapesOut } from '../contract/map.ts';
import type { AppContext, HandlersFor } from '../context.ts';

type Bbox = [number, number, number, number];
interface GeometryFile {
  meta: { source: string; attribution: string; approximation: string; unitMetres: number };
  areas: Record<string, { bbox: Bbox; sectors: Record<string, { d: string; bbox: Bbox; postcodes: number }> }>;
}

const loaded = new Map<string, GeometryFile | null>();

/** The geometry file sits beside the shipped reference database in resources/reference/. */
export function sectorGeometryFile(ctx: AppContext): string | null {
  return ctx.reference ? path.join(path.dirname(ctx.reference.shippedFile), 'sector-geometry.json') : null;
}

function loadGeometry(file: string | null): GeometryFile | null {
  if (!file) return null;
  if (!loaded.has(file)) {
    try {
      loaded.set(file, JSON.parse(fs.readFileSync(file, 'utf8')) as GeometryFile);
    } catch (error) {
      console.error(`[needmap] ${file} could not be read (${(error as Error).message}); the map shows its table only.`);
      loaded.set(file, null);
    }
  }
  return loaded.get(file) ?? null;
}

export const mapHandlers: HandlersFor<typeof mapCalls> = {
  'reports.sectorShapes': (input, ctx): z.input<typeof SectorShapesOut> => {
    const geometry = loadGeometry(sectorGeometryFile(ctx));
    if (!geometry) {
      return { available: false, source: '', attribution: '', approximation: '', unitMetres: 1, areas: [], shapes: [] };
    }
    const wanted = new Set(input.areas);
    const shapes = Object.entries(geometry.areas)
      .filter(([area]) => wanted.has(area))
      .flatMap(([area, g]) => Object.entries(g.sectors).map(([sector, s]) => ({ area, sector, d: s.d, bbox: s.bbox, postcodes: s.postcodes })));
    return {
      available: true,
      source: geometry.meta.source,
      attribution: geometry.meta.attribution,
      approximation: geometry.meta.approximation,
      unitMetres: geometry.meta.unitMetres,
      areas: Object.entries(geometry.areas).map(([area, g]) => ({ area, sectors: Object.keys(g.sectors).length })),
      shapes,
    };
  },
};
