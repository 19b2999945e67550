/**
 * Recognising and checking the reference files a user downloads: the ONS postcode directories
 * (NSPL / ONSPD, one national CSV or one per postcode area) and the English Indices of
 * Deprivation CSVs. Columns are found by their header names, so a newer ONS release with extra or
 * reordered columns still imports; a file that is neither is refused with what it lacks.
 */
import { DOMAIN_NAMES, type DomainDeciles, type DomainName, type IodEdition } from './deprivation.ts';
import type { Country } from './postcode-index.ts';
import { parsePostcode } from './postcode.ts';

export interface PostcodeColumns {
  postcode: number;
  doterm: number | null;
  lsoa11: number | null;
  lsoa21: number | null;
  ctry: number | null;
}

export interface IodColumns {
  lsoa: number;
  name: number | null;
  rank: number;
  decile: number;
  domains: Record<DomainName, number>;
}

/** `official`: an ONS postcode directory or a published lookup; `derived`: placed from centroids (NeedMap's national file). */
export type PostcodeSource = 'official' | 'derived';

export type FileLayout =
  | { kind: 'postcodes'; columns: PostcodeColumns; source: PostcodeSource }
  | { kind: 'iod'; edition: IodEdition; columns: IodColumns }
  | { kind: 'unrecognised'; reason: string };

export interface PostcodeRow {
  /** Normalised, "PR1 2AB" */
  postcode: string;
  lsoa11: string | null;
  lsoa21: string | null;
  country: Country;
  /** ONS termination month "yyyymm", null for a live postcode. */
  terminated: string | null;
}

export interface IodRow {
  lsoa: string;
  name: string | null;
  rank: number;
  decile: number;
  domains: DomainDeciles;
}

export type RowResult<T> = { ok: true; row: T } | { ok: false; reason: string };

const COUNTRY_CODES: Record<string, Country> = {
  E92000001: 'England',
  W92000004: 'Wales',
  S92000003: 'Scotland',
  N92000002: 'Northern Ireland',
  L93000001: 'Channel Islands',
  M83000003: 'Isle of Man',
};
const COUNTRY_BY_LSOA_PREFIX: Record<string, Country> = { E: 'England', W: 'Wales', S: 'Scotland', N: 'Northern Ireland' };

function normaliseHeader(name: string): string {
  return name
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
}

function findColumn(header: string[], ...patterns: RegExp[]): number | null {
  for (const pattern of patterns) {
    const at = header.findIndex((h) => pattern.test(h));
    if (at >= 0) return at;
  }
  return null;
}

/** Which official wording each domain decile column starts with (IoD "File 7" headers). */
const OFFICIAL_DOMAIN_PREFIX: Record<DomainName, string> = {
  income: 'income decile',
  employment: 'employment decile',
  education: 'education, skills and training decile',
  health: 'health deprivation and disability decile',
  crime: 'crime decile',
  housing: 'barriers to housing and services decile',
  livingEnvironment: 'living environment decile',
};
/** The compact layout in ../shared (and NeedMap's own exports). */
const SHORT_DOMAIN_COLUMN: Record<DomainName, string> = {
  income: 'income_decile',
  employment: 'employment_decile',
  education: 'education_decile',
  health: 'health_decile',
  crime: 'crime_decile',
  housing: 'housing_services_decile',
  livingEnvironment: 'living_environment_decile',
};

function describeColumns(header: string[]): string {
  const shown = header.slice(0, 12).map((h) => h || '(blank)');
  return shown.join(', ') + (header.length > 12 ? `, … (${header.length} columns)` : '');
}

/** Works out what a reference CSV is from its header row (and its file name, for the IoD edition). */
export function detectLayout(rawHeader: string[], fileName: string): FileLayout {
  const header = rawHeader.map(normaliseHeader);
  const postcode = findColumn(header, /^pcds$/, /^pcd$/, /^pcd7$/, /^pcd8$/, /^pcd2$/);
  if (postcode !== null) {
    const lsoa11 = findColumn(header, /^lsoa11(cd)?$/);
    const lsoa21 = findColumn(header, /^lsoa21(cd)?$/);
    if (lsoa11 === null && lsoa21 === null) {
      return {
        kind: 'unrecognised',
        reason: `${fileName} has postcodes but no lsoa11 or lsoa21 column, so it cannot place them in a neighbourhood. Use the ONS National Statistics Postcode Lookup (NSPL) or ONS Postcode Directory (ONSPD).`,
      };
    }
    const doterm = findColumn(header, /^doterm$/);
    const ctry = findColumn(header, /^ctry(\d{2})?(cd)?$/);
    // The national derived file says how each LSOA was found (lsoa11_method: "in"/"near" an outline).
    const derived = findColumn(header, /^lsoa(11|21)_method$/) !== null;
    return { kind: 'postcodes', columns: { postcode, doterm, lsoa11, lsoa21, ctry }, source: derived ? 'derived' : 'official' };
  }

  const lsoa = findColumn(header, /^lsoa_code$/, /^lsoa code \((2011|2021)\)$/, /^lsoa(11|21)cd$/);
  const rank = findColumn(header, /^imd_rank$/, /^index of multiple deprivation \(imd\) rank/);
  const decile = findColumn(header, /^imd_decile$/, /^index of multiple deprivation \(imd\) decile/);
  if (lsoa !== null && rank !== null && decile !== null) {
    const domains = {} as Record<DomainName, number>;
    const missing: string[] = [];
    for (const domain of DOMAIN_NAMES) {
      const short = SHORT_DOMAIN_COLUMN[domain];
      const at = findColumn(header, new RegExp(`^${short}$`), new RegExp(`^${OFFICIAL_DOMAIN_PREFIX[domain].replace(/[(),]/g, '\\$&')}`));
      if (at === null) missing.push(short);
      else domains[domain] = at;
    }
    if (missing.length) {
      return {
        kind: 'unrecognised',
        reason: `${fileName} looks like an Indices of Deprivation file but has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}.`,
      };
    }
    const edition = iodEdition(header[lsoa]!, fileName, header);
    if (!edition) {
      return {
        kind: 'unrecognised',
        reason: `${fileName} looks like an Indices of Deprivation file, but NeedMap cannot tell whether it is the 2019 or the 2025 edition; put 2019 or 2025 in its file name.`,
      };
    }
    const name = findColumn(header, /^lsoa_name$/, /^lsoa name \((2011|2021)\)$/);
    return { kind: 'iod', edition, columns: { lsoa, name, rank, decile, domains } };
  }

  return {
    kind: 'unrecognised',
    reason:
      `${fileName} is not an ONS postcode directory (NSPL or ONSPD) or an English Indices of Deprivation file: ` +
      `it has no postcode column (pcds or pcd) and no LSOA code with IMD rank and decile. Its columns are: ${describeColumns(rawHeader)}.`,
  };
}

function iodEdition(lsoaHeader: string, fileName: string, header: string[]): IodEdition | null {
  if (/2011/.test(lsoaHeader) || lsoaHeader === 'lsoa11cd') return 'IoD2019';
  if (/2021/.test(lsoaHeader) || lsoaHeader === 'lsoa21cd') return 'IoD2025';
  const base = fileName.replace(/^.*[\\/]/, '');
  if (/2019/.test(base)) return 'IoD2019';
  if (/2025/.test(base)) return 'IoD2025';
  // The ../shared layouts: 2019 carries LSOA names, 2025 a score and no names.
  if (header.includes('lsoa_name')) return 'IoD2019';
  if (header.includes('imd_score')) return 'IoD2025';
  return null;
}

/** ONS's stand-in codes ("E99999999", "L99999999") and blanks mean "none". */
function areaCode(value: string | undefined, column: string): RowResult<string | null> {
  const code = (value ?? '').trim().toUpperCase();
  if (code === '' || /^[A-Z]99999999$/.test(code)) return { ok: true, row: null };
  if (!/^[A-Z]\d{8}$/.test(code)) return { ok: false, reason: `${column} "${value}" is not an ONS area code` };
  return { ok: true, row: code };
}

export function validatePostcodeRow(record: string[], columns: PostcodeColumns): RowResult<PostcodeRow> {
  const raw = record[columns.postcode] ?? '';
  if (raw.trim() === '') return { ok: false, reason: 'no postcode' };
  const parsed = parsePostcode(raw);
  if (!parsed.ok) return { ok: false, reason: `postcode "${raw.trim()}" is not valid` };

  const lsoa11 = columns.lsoa11 === null ? { ok: true as const, row: null } : areaCode(record[columns.lsoa11], 'lsoa11');
  if (!lsoa11.ok) return lsoa11;
  const lsoa21 = columns.lsoa21 === null ? { ok: true as const, row: null } : areaCode(record[columns.lsoa21], 'lsoa21');
  if (!lsoa21.ok) return lsoa21;

  let terminated: string | null = null;
  if (columns.doterm !== null) {
    const doterm = (record[columns.doterm] ?? '').trim();
    if (doterm !== '') {
      if (!/^(19|20)\d{2}(0[1-9]|1[0-2])$/.test(doterm)) return { ok: false, reason: `doterm "${doterm}" is not a year and month (yyyymm)` };
      terminated = doterm;
    }
  }

  let country: Country = 'unknown';
  const ctry = columns.ctry === null ? '' : (record[columns.ctry] ?? '').trim().toUpperCase();
  if (ctry !== '') {
    const known = COUNTRY_CODES[ctry];
    if (!known) return { ok: false, reason: `ctry "${ctry}" is not a UK country code` };
    country = known;
  } else {
    // Older terminated rows carry no country; their neighbourhood code says where they were.
    const lsoa = lsoa11.row ?? lsoa21.row;
    if (lsoa) country = COUNTRY_BY_LSOA_PREFIX[lsoa[0]!] ?? 'unknown';
  }
  return { ok: true, row: { postcode: parsed.postcode, lsoa11: lsoa11.row, lsoa21: lsoa21.row, country, terminated } };
}

function wholeNumber(value: string | undefined, label: string, min: number, max: number): RowResult<number> {
  const text = (value ?? '').trim();
  if (!/^\d+$/.test(text)) return { ok: false, reason: `${label} "${text}" is not a whole number` };
  const n = Number(text);
  if (n < min || n > max) return { ok: false, reason: `${label} ${n} is outside ${min}–${max}` };
  return { ok: true, row: n };
}

export function validateIodRow(record: string[], columns: IodColumns): RowResult<IodRow> {
  const lsoa = (record[columns.lsoa] ?? '').trim().toUpperCase();
  if (!/^E01\d{6}$/.test(lsoa)) return { ok: false, reason: `"${lsoa}" is not an English LSOA code (E01…)` };
  const rank = wholeNumber(record[columns.rank], 'IMD rank', 1, 50_000);
  if (!rank.ok) return rank;
  const decile = wholeNumber(record[columns.decile], 'IMD decile', 1, 10);
  if (!decile.ok) return decile;
  const domains = {} as DomainDeciles;
  for (const domain of DOMAIN_NAMES) {
    const d = wholeNumber(record[columns.domains[domain]], `${domain} decile`, 1, 10);
    if (!d.ok) return d;
    domains[domain] = d.row;
  }
  const name = columns.name === null ? null : (record[columns.name] ?? '').trim() || null;
  return { ok: true, row: { lsoa, name, rank: rank.row, decile: decile.row, domains } };
}
