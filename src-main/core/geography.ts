/**
 * Where a client lives, as NeedMap keeps it: postcode sector and district, neighbourhood (LSOA)
 * and its Indices of Deprivation decile — or the reason the decile is unknown — with the 2021
 * LSOA, the local authority, and whether the postcode's row was official or derived.
 */
import type { IodEdition } from './deprivation.ts';
import { parsePostcode } from './postcode.ts';

export interface ClientGeography {
  postcodeSector: string | null;
  postcodeDistrict: string | null;
  lsoa: string | null;
  imdDecile: number | null;
  imdRank: number | null;
  imdEdition: string | null;
  geoReason: string | null;
  lsoa21: string | null;
  localAuthorityCode: string | null;
  localAuthorityName: string | null;
  geoSource: 'official' | 'derived' | null;
}

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

/** Resolves a postcode to its neighbourhood and deprivation in an edition; implemented over the reference data (db/reference.ts). */
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
