/**
 * Where a client lives, as NeedMap keeps it: postcode sector and district, neighbourhood (LSOA)
 * and its Indices of Deprivation decile — or the reason the decile is unknown — with the 2021
 * LSOA, the local authority, and whether the postcode's row was official or derived.
 */
import { z } from 'zod';
import type { IodEdition } from './deprivation.ts';
import { parsePostcode } from './postcode.ts';

export const GEO_SOURCES = ['official', 'derived'] as const;

/** What NeedMap keeps of where a client lives, derived from the postcode (stored in `clients`). */
export const ClientGeography = z.object({
  postcodeSector: z.string().nullable(),
  postcodeDistrict: z.string().nullable(),
  lsoa: z.string().nullable(),
  imdDecile: z.number().int().min(1).max(10).nullable(),
  imdRank: z.number().int().nullable(),
  imdEdition: z.string().nullable(),
  /** Why imdDecile is unknown (e.g. "outside England"), null when known. */
  geoReason: z.string().nullable(),
  lsoa21: z.string().nullable(),
  localAuthorityCode: z.string().nullable(),
  localAuthorityName: z.string().nullable(),
  /** Whether the postcode's row was official or derived (placed from its centre point). */
  geoSource: z.enum(GEO_SOURCES).nullable(),
});
export type ClientGeography = z.infer<typeof ClientGeography>;

/** What a neighbourhood lookup says about one postcode: `reason` explains a null decile. */
export interface NeighbourhoodFound {
  /** The neighbourhood (LSOA code) the decile is for, or the best known one; null when none. */
  lsoa: string | null;
  lsoa21: string | null;
  localAuthority: { code: string; name: string } | null;
  source: 'official' | 'derived' | null;
  imdDecile: number | null;
  imdRank: number | null;
  imdEdition: string | null;
  reason: string | null;
}

/** Resolves a postcode to its neighbourhood and deprivation in an edition; implemented over the reference data (db/geo/reference.ts). */
export interface NeighbourhoodLookup {
  lookup(postcode: string, edition?: IodEdition): NeighbourhoodFound;
}

export const NO_POSTCODE_REASON = 'No postcode recorded.';

/** The place details a geography has beyond its decile, when nothing is known. */
export const NO_PLACE_DETAILS = { lsoa21: null, localAuthorityCode: null, localAuthorityName: null, geoSource: null } as const;

const NOTHING_FOUND = { lsoa: null, imdDecile: null, imdRank: null, imdEdition: null, ...NO_PLACE_DETAILS } as const;

export function geographyFor(postcode: string | null, neighbourhoods: NeighbourhoodLookup | null, edition?: IodEdition): ClientGeography {
  if (!postcode) return { postcodeSector: null, postcodeDistrict: null, ...NOTHING_FOUND, geoReason: NO_POSTCODE_REASON };
  const parsed = parsePostcode(postcode);
  if (!parsed.ok) return { postcodeSector: null, postcodeDistrict: null, ...NOTHING_FOUND, geoReason: parsed.error };
  const areas = { postcodeSector: parsed.sector, postcodeDistrict: parsed.district };
  if (!neighbourhoods) return { ...areas, ...NOTHING_FOUND, geoReason: 'No postcode reference data is loaded.' };
  const found = neighbourhoods.lookup(parsed.postcode, edition);
  return {
    ...areas,
    lsoa: found.lsoa,
    imdDecile: found.imdDecile,
    imdRank: found.imdRank,
    imdEdition: found.imdEdition,
    // A missing decile always carries its reason, so reports can say why it is "unknown".
    geoReason: found.imdDecile === null ? (found.reason ?? 'The deprivation decile of this postcode is not known.') : found.reason,
    lsoa21: found.lsoa21,
    localAuthorityCode: found.localAuthority?.code ?? null,
    localAuthorityName: found.localAuthority?.name ?? null,
    geoSource: found.source,
  };
}
