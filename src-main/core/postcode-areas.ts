/**
 * Why a postcode has no deprivation decile, in words a caseworker can act on, and which country
 * a postcode outside England and Wales is in, from its postcode area alone (so a Scottish
 * postcode that is not in the data still says "Scotland", not "not found").
 */
import type { Country } from './postcode-index.ts';

/**
 * Postcode areas wholly or mainly outside England and Wales. TD (Berwick: TD12, TD15) and DG
 * reach into England; a district that has English or Welsh postcodes in the data is treated as
 * English or Welsh (see ReferenceData.lookup), so only the area's other districts say "Scotland".
 */
export const AREAS_OUTSIDE_ENGLAND_AND_WALES: Readonly<Record<string, Exclude<Country, 'England' | 'Wales' | 'unknown'>>> = {
  AB: 'Scotland',
  DD: 'Scotland',
  DG: 'Scotland',
  EH: 'Scotland',
  FK: 'Scotland',
  G: 'Scotland',
  HS: 'Scotland',
  IV: 'Scotland',
  KA: 'Scotland',
  KW: 'Scotland',
  KY: 'Scotland',
  ML: 'Scotland',
  PA: 'Scotland',
  PH: 'Scotland',
  TD: 'Scotland',
  ZE: 'Scotland',
  BT: 'Northern Ireland',
  GY: 'Channel Islands',
  JE: 'Channel Islands',
  IM: 'Isle of Man',
};

export function countryOfArea(area: string): Country | null {
  return AREAS_OUTSIDE_ENGLAND_AND_WALES[area.toUpperCase()] ?? null;
}

export const NOT_IN_DATA_REASON =
  'Not in the postcode data: a new or mistyped postcode? If the postcode is right, import the latest ONS postcode directory in Settings.';

export const WALES_REASON = 'In Wales: the English Indices of Deprivation do not cover Wales (the Welsh Index of Multiple Deprivation is separate).';

const PLACE: Record<string, string> = {
  Scotland: 'Scotland',
  'Northern Ireland': 'Northern Ireland',
  'Channel Islands': 'the Channel Islands',
  'Isle of Man': 'the Isle of Man',
};

/** "In Scotland, outside England and Wales: the English Indices of Deprivation do not cover Scotland." */
export function outsideReason(country: Country): string {
  if (country === 'Wales') return WALES_REASON;
  const place = PLACE[country] ?? country;
  return `In ${place}, outside England and Wales: the English Indices of Deprivation do not cover ${place}.`;
}

/** Shown wherever a decile comes from a derived (centroid-placed) postcode rather than an official lookup. */
export const DERIVED_PLACEMENT_NOTE = "Placed from the postcode's centre point; about 1 in 100 postcodes near a boundary may fall in the neighbouring area.";
