/**
 * Where the reference data comes from: each source's title, publisher, release, licence and the
 * attribution its licence asks for (kept in the file's `source` table and shown on the About page).
 */
import path from 'node:path';
import type { IodEdition } from '../../core/deprivation.ts';
import type { SourceInfo } from './reference-file.ts';

export const OGL = 'Contains public sector information licensed under the Open Government Licence v3.0.';
export const OGL_NAME = 'Open Government Licence v3.0';

export type SourceDescription = Omit<SourceInfo, 'files' | 'rows' | 'importedAt'>;

/** "NSPL_NOV_2021_UK_WC.csv" → { id: "NSPL_NOV_2021", released: "November 2021", year: "2021" } */
export function onsRelease(fileName: string): { id: string; product: string; released: string; year: string } | null {
  const m = /(NSPL|ONSPD)(?:21|_?21)?_([A-Z]{3})_?(\d{4})/i.exec(path.basename(fileName));
  if (!m) return null;
  const months = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
  const month = months.indexOf(m[2]!.toUpperCase());
  if (month < 0) return null;
  const monthName = new Date(Date.UTC(2000, month, 1)).toLocaleDateString('en-GB', { month: 'long', timeZone: 'UTC' });
  const product = m[1]!.toUpperCase();
  return { id: `${product}_${m[2]!.toUpperCase()}_${m[3]}`, product, released: `${monthName} ${m[3]}`, year: m[3]! };
}

export function onsAttribution(year: string): string {
  return [
    'Source: Office for National Statistics licensed under the Open Government Licence v.3.0.',
    `Contains OS data © Crown copyright and database right ${year}.`,
    `Contains Royal Mail data © Royal Mail copyright and database right ${year}.`,
    `Contains GeoPlace data © Local Government Information House Limited copyright and database right ${year}.`,
  ].join(' ');
}

/** An ONS postcode directory, from its file name where that says which release it is. */
export function onsPostcodeSource(fileName: string, now: Date): SourceDescription {
  const release = onsRelease(fileName);
  const product = release?.product === 'ONSPD' ? 'ONS Postcode Directory' : 'ONS National Statistics Postcode Lookup';
  return {
    id: `postcodes:${release?.id ?? path.basename(fileName)}`,
    title: release ? `${product} (${release.released})` : `ONS postcode directory (${path.basename(fileName)})`,
    publisher: 'Office for National Statistics',
    released: release?.released ?? 'not stated in the file name',
    licence: OGL_NAME,
    attribution: onsAttribution(release?.year ?? String(now.getUTCFullYear())),
  };
}

export const IOD_SOURCES: Record<IodEdition, SourceDescription> = {
  IoD2019: {
    id: 'iod:IoD2019',
    title: 'English Indices of Deprivation 2019 (LSOA 2011): IMD and domain ranks and deciles',
    publisher: 'Ministry of Housing, Communities & Local Government',
    released: 'September 2019',
    licence: OGL_NAME,
    attribution: `English Indices of Deprivation 2019, Ministry of Housing, Communities & Local Government.\n${OGL}`,
  },
  IoD2025: {
    id: 'iod:IoD2025',
    title: 'English Indices of Deprivation 2025 (LSOA 2021): ranks and deciles',
    publisher: 'Ministry of Housing, Communities & Local Government',
    released: 'October 2025',
    licence: OGL_NAME,
    attribution: `English Indices of Deprivation 2025, Ministry of Housing, Communities & Local Government.\n${OGL}`,
  },
};

/** The attribution lines of ../shared/data/national/README.md, kept with what is derived from those files. */
const NATIONAL_POSTCODE_ATTRIBUTION =
  'Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data © Crown copyright and database right 2025. ' +
  'Contains Royal Mail data © Royal Mail copyright and database right 2025. Contains GeoPlace data © Local Government Information House Limited ' +
  'copyright and database right 2025. (NSPL May 2025 postcode coordinates.)';
const NATIONAL_STATISTICS_ATTRIBUTION =
  'Contains National Statistics data © Crown copyright and database right 2011–2022; contains OS data © Crown copyright (LSOA boundaries, the LSOA lookup and the population estimates).';

export const NATIONAL_SOURCES = {
  derivedPostcodes: {
    id: 'postcodes:derived-may2025',
    title:
      'Every postcode in England and Wales (ONS NSPL May 2025 centroids placed in the 2011 LSOA boundaries; 2021 LSOA from the ONS lookup): derived, about 99% agree with the official lookup',
    publisher: 'NeedMap, from Office for National Statistics data',
    released: 'May 2025 (postcode coordinates)',
    licence: OGL_NAME,
    attribution: `${NATIONAL_POSTCODE_ATTRIBUTION}\n${NATIONAL_STATISTICS_ATTRIBUTION}`,
  },
  lsoaLookup: {
    id: 'lookup:lsoa11-lsoa21-ltla22',
    title: 'LSOA (2011) to LSOA (2021) to Local Authority District (2022) lookup for England and Wales',
    publisher: 'Office for National Statistics',
    released: '2022',
    licence: OGL_NAME,
    attribution: NATIONAL_STATISTICS_ATTRIBUTION,
  },
  population: {
    id: 'population:mid2020-lsoa11',
    title: 'Lower layer Super Output Area population estimates, mid-2020 (2011 LSOAs)',
    publisher: 'Office for National Statistics',
    released: 'September 2021',
    licence: OGL_NAME,
    attribution: NATIONAL_STATISTICS_ATTRIBUTION,
  },
} satisfies Record<string, SourceDescription>;
