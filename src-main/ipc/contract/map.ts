/**
 * The sector map's part of the contract (Reports map, area picture): approximate postcode sector
 * outlines for England and Wales, built offline from the NSPL postcode centroids
 * (src-main/reference/build-sector-geometry.ts) and shipped in resources/reference/sector-map/,
 * one file per postcode area, read only for the areas asked for. Counts come from other calls;
 * this is only shape.
 */
import { z } from 'zod';

const bbox = z.tuple([z.number(), z.number(), z.number(), z.number()]);

export const SectorShapesOut = z.object({
  /** False when the geometry file is missing or unreadable: the map then shows the table only. */
  available: z.boolean(),
  /** Provenance and licence lines to show under the map. */
  source: z.string(),
  attribution: z.string(),
  approximation: z.string(),
  /** Metres per coordinate unit. */
  unitMetres: z.number(),
  /** Every postcode area that has shapes, with how many sectors. */
  areas: z.array(z.object({ area: z.string(), sectors: z.number().int() })),
  /** The requested areas' outlines: `d` is SVG path data (fill-rule evenodd), one plane per area, x east, y south. */
  shapes: z.array(z.object({ area: z.string(), sector: z.string(), d: z.string(), bbox, postcodes: z.number().int() })),
});

export const mapCalls = {
  /** Sector outlines for the given postcode areas ("TF", "DT"…); unknown areas simply return no shapes. */
  'map.sectorShapes': {
    input: z.object({
      areas: z
        .array(
          z
            .string()
            .trim()
            .toUpperCase()
            .regex(/^[A-Z]{1,2}$/, { message: 'A postcode area is one or two letters, like "TF".' }),
        )
        .max(20, { message: 'Ask for at most 20 postcode areas at once.' }),
    }),
    output: SectorShapesOut,
  },
} as const;
