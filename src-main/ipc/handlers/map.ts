/** The sector map's handler: the shipped outlines of the postcode areas asked for (db/map.ts reads them). */
import type { z } from 'zod';
import { PATH_UNIT_METRES } from '../../core/sector-paths.ts';
import { loadAreaShapes, loadIndex, sectorMapDir, type Shape } from '../../db/map.ts';
import type { mapCalls, SectorShapesOut } from '../contract/map.ts';
import type { HandlersFor } from '../context.ts';

export const mapHandlers: HandlersFor<typeof mapCalls> = {
  'map.sectorShapes': (input, ctx): z.input<typeof SectorShapesOut> => {
    const dir = sectorMapDir(ctx.reference?.shippedFile ?? null);
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
