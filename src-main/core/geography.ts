/**
 * Where a client lives, as NeedMap keeps it: postcode sector and district, neighbourhood (LSOA)
 * and its Indices of Deprivation decile — or the reason the decile is unknown.
 */
import { parsePostcode } from './postcode.ts';

export interface ClientGeography {
  postcodeSector: string | null;
  postcodeDistrict: string | null;
  lsoa: string | null;
  imdDecile: number | null;
  imdRank: number | null;
  imdEdition: string | null;
  geoReason: string | null;
}

/** What a neighbourhood lookup says about one postcode: `reason` explains a null decile. */
export interface NeighbourhoodFound {
  /** The neighbourhood (LSOA code), or the last known one of a terminated postcode; null when none. */
  lsoa: string | null;
  imdDecile: number | null;
  imdRank: number | null;
  imdEdition: string | null;
  reason: string | null;
}

/** Resolves a postcode to its neighbourhood and deprivation; implemented over the reference data (db/reference.ts). */
export interface NeighbourhoodLookup {
  lookup(postcode: string): NeighbourhoodFound;
}

export const NO_POSTCODE_REASON = 'No postcode recorded.';

export function geographyFor(postcode: string | null, neighbourhoods: NeighbourhoodLookup | null): ClientGeography {
  const empty = { lsoa: null, imdDecile: null, imdRank: null, imdEdition: null };
  if (!postcode) return { postcodeSector: null, postcodeDistrict: null, ...empty, geoReason: NO_POSTCODE_REASON };
  const parsed = parsePostcode(postcode);
  if (!parsed.ok) return { postcodeSector: null, postcodeDistrict: null, ...empty, geoReason: parsed.error };
  const areas = { postcodeSector: parsed.sector, postcodeDistrict: parsed.district };
  if (!neighbourhoods) return { ...areas, ...empty, geoReason: 'No postcode reference data is loaded.' };
  const found = neighbourhoods.lookup(parsed.postcode);
  return {
    ...areas,
    lsoa: found.lsoa,
    imdDecile: found.imdDecile,
    imdRank: found.imdRank,
    imdEdition: found.imdEdition,
    // A missing decile always carries its reason, so reports can say why it is "unknown".
    geoReason: found.imdDecile === null ? (found.reason ?? 'The deprivation decile of this postcode is not known.') : found.reason,
  };
}
