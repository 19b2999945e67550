/**
 * The postcode → neighbourhood → deprivation reference: a read-only SQLite file (shipped in
 * resources/reference/, or the user's updated copy) holding the LSOA codes, the Indices of
 * Deprivation rows, the sources with their licences, and the postcode index as typed-array
 * blobs. `ReferenceData.load` reads it all into memory once and closes the file, so lookups
 * never touch the disk and an import can swap the file underneath.
 */
import fs from 'node:fs';
import os from 'node:os';
import Database from 'better-sqlite3';
import { DOMAIN_NAMES, IOD_EDITIONS, type DomainDeciles, type IodEdition } from '../core/deprivation.ts';
import type { NeighbourhoodLookup } from '../core/geography.ts';
import { COUNTRIES, COUNTRY_MASK, NO_LSOA, PostcodeIndex, TERMINATED_FLAG, monthText, type Country } from '../core/postcode-index.ts';
import type { SqliteDatabase } from './open.ts';

export const REFERENCE_FORMAT = '1';

export const NOT_IN_DATA_REASON = 'Not in the postcode data — a new or mistyped postcode?';
export const OUTSIDE_ENGLAND = 'the English Indices of Deprivation do not apply';

export class ReferenceError extends Error {
  override name = 'ReferenceError';
}

/** The tables of a reference file. Postcodes live in `postcode_index` as little-endian typed arrays. */
export const REFERENCE_SCHEMA_SQL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE source (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  publisher TEXT NOT NULL,
  released TEXT NOT NULL,
  licence TEXT NOT NULL,
  attribution TEXT NOT NULL,
  files TEXT NOT NULL,
  rows INTEGER NOT NULL,
  imported_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE lsoa (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
CREATE TABLE iod (
  edition TEXT NOT NULL,
  lsoa TEXT NOT NULL,
  name TEXT,
  imd_rank INTEGER NOT NULL,
  imd_decile INTEGER NOT NULL,
  income INTEGER NOT NULL,
  employment INTEGER NOT NULL,
  education INTEGER NOT NULL,
  health INTEGER NOT NULL,
  crime INTEGER NOT NULL,
  housing INTEGER NOT NULL,
  living_environment INTEGER NOT NULL,
  PRIMARY KEY (edition, lsoa)
) WITHOUT ROWID;
CREATE TABLE postcode_index (name TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
`;

export const IOD_DOMAIN_COLUMNS = ['income', 'employment', 'education', 'health', 'crime', 'housing', 'living_environment'] as const;

export interface IodRecord {
  name: string | null;
  rank: number;
  decile: number;
  domains: Readonly<DomainDeciles>;
}

export interface SourceInfo {
  id: string;
  title: string;
  publisher: string;
  released: string;
  licence: string;
  attribution: string;
  files: string;
  rows: number;
  importedAt: string;
}

/** Everything a reference file holds, in memory. */
export interface ReferenceContent {
  meta: Record<string, string>;
  sources: SourceInfo[];
  lsoaCodes: string[];
  iod: Record<IodEdition, Map<string, IodRecord>>;
  index: PostcodeIndex;
}

export interface ReferenceLookup {
  /** The neighbourhood (LSOA code) the decile is for, or the last known one; null when none. */
  lsoa: string | null;
  lsoaName: string | null;
  country: Country | null;
  /** "June 1998" for a terminated postcode. */
  terminatedSince: string | null;
  imdDecile: number | null;
  imdRank: number | null;
  imdEdition: IodEdition | null;
  domains: Readonly<DomainDeciles> | null;
  /** Why the decile is unknown; null when it is known. */
  reason: string | null;
}

export interface ReferenceStatus {
  file: string;
  format: string;
  builtAt: string | null;
  postcodes: number;
  livePostcodes: number;
  terminatedPostcodes: number;
  englishPostcodes: number;
  lsoas: Record<IodEdition, number>;
  sources: SourceInfo[];
  attribution: string[];
}

function assertLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new ReferenceError('The postcode index is stored little-endian; this computer is big-endian.');
}

/** A copy of the blob in fresh (aligned) memory, viewed as the given typed array. */
function typedArray<T>(blob: Buffer | undefined, make: (buffer: ArrayBuffer) => T, name: string): T {
  if (!blob) throw new ReferenceError(`The reference file is damaged: the postcode index has no "${name}" part.`);
  const copy = new ArrayBuffer(blob.byteLength);
  new Uint8Array(copy).set(blob);
  return make(copy);
}

export function readReferenceContent(sqlite: SqliteDatabase): ReferenceContent {
  assertLittleEndian();
  const meta = Object.fromEntries((sqlite.prepare('SELECT key, value FROM meta').raw().all() as [string, string][]).map(([k, v]) => [k, v]));
  if (meta.format !== REFERENCE_FORMAT) {
    throw new ReferenceError(`This reference file has format ${meta.format ?? 'unknown'}; this version of NeedMap reads format ${REFERENCE_FORMAT}.`);
  }
  const sources = sqlite
    .prepare('SELECT id, title, publisher, released, licence, attribution, files, rows, imported_at AS importedAt FROM source ORDER BY id')
    .all() as SourceInfo[];
  const lsoaCodes: string[] = [];
  for (const [id, code] of sqlite.prepare('SELECT id, code FROM lsoa ORDER BY id').raw().all() as [number, string][]) lsoaCodes[id] = code;

  const iod = { IoD2019: new Map(), IoD2025: new Map() } as Record<IodEdition, Map<string, IodRecord>>;
  const iodRows = sqlite
    .prepare(`SELECT edition, lsoa, name, imd_rank, imd_decile, ${IOD_DOMAIN_COLUMNS.join(', ')} FROM iod`)
    .raw()
    .all() as [IodEdition, string, string | null, number, number, ...number[]][];
  for (const row of iodRows) {
    const domains = {} as DomainDeciles;
    DOMAIN_NAMES.forEach((d, i) => (domains[d] = row[5 + i] as number));
    const map = iod[row[0]];
    if (!map) throw new ReferenceError(`The reference file has deprivation rows of an unknown edition "${row[0]}".`);
    map.set(row[1], { name: row[2], rank: row[3], decile: row[4], domains: Object.freeze(domains) });
  }

  const blobs = new Map((sqlite.prepare('SELECT name, data FROM postcode_index').raw().all() as [string, Buffer][]).map(([n, d]) => [n, d]));
  const index = new PostcodeIndex(
    typedArray(blobs.get('keys'), (b) => new Float64Array(b), 'keys'),
    typedArray(blobs.get('lsoa11'), (b) => new Uint32Array(b), 'lsoa11'),
    typedArray(blobs.get('lsoa21'), (b) => new Uint32Array(b), 'lsoa21'),
    typedArray(blobs.get('flags'), (b) => new Uint8Array(b), 'flags'),
    typedArray(blobs.get('terminated'), (b) => new Uint16Array(b), 'terminated'),
  );
  return { meta, sources, lsoaCodes, iod, index };
}

function blobOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** Writes `content` into an empty reference file (inside the caller's transaction). */
export function writeReferenceContent(sqlite: SqliteDatabase, content: ReferenceContent): void {
  assertLittleEndian();
  sqlite.exec(REFERENCE_SCHEMA_SQL);
  const meta = sqlite.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  for (const [key, value] of Object.entries({ ...content.meta, format: REFERENCE_FORMAT })) meta.run(key, value);
  const source = sqlite.prepare(
    'INSERT INTO source (id, title, publisher, released, licence, attribution, files, rows, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const s of content.sources) source.run(s.id, s.title, s.publisher, s.released, s.licence, s.attribution, s.files, s.rows, s.importedAt);
  const lsoa = sqlite.prepare('INSERT INTO lsoa (id, code) VALUES (?, ?)');
  content.lsoaCodes.forEach((code, id) => lsoa.run(id, code));
  const iod = sqlite.prepare(
    `INSERT INTO iod (edition, lsoa, name, imd_rank, imd_decile, ${IOD_DOMAIN_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const edition of IOD_EDITIONS) {
    for (const [code, r] of content.iod[edition]) {
      iod.run(edition, code, r.name, r.rank, r.decile, ...DOMAIN_NAMES.map((d) => r.domains[d]));
    }
  }
  const part = sqlite.prepare('INSERT INTO postcode_index (name, data) VALUES (?, ?)');
  const { index } = content;
  part.run('keys', blobOf(index.keys));
  part.run('lsoa11', blobOf(index.lsoa11));
  part.run('lsoa21', blobOf(index.lsoa21));
  part.run('flags', blobOf(index.flags));
  part.run('terminated', blobOf(index.terminatedMonth));
}

export function openReferenceFile(file: string, options: { readonly?: boolean; nativeBinding?: string } = {}): SqliteDatabase {
  if (options.readonly !== false && !fs.existsSync(file)) throw new ReferenceError(`There is no postcode reference file at ${file}.`);
  return new Database(file, {
    readonly: options.readonly ?? true,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
}

export function loadReferenceContent(file: string, options: { nativeBinding?: string } = {}): ReferenceContent {
  const sqlite = openReferenceFile(file, options);
  try {
    return readReferenceContent(sqlite);
  } catch (error) {
    if (error instanceof ReferenceError) throw error;
    throw new ReferenceError(`${file} is not a NeedMap postcode reference file (${(error as Error).message}).`);
  } finally {
    sqlite.close();
  }
}

/** The loaded reference data: what `geographyFor`, the CLI and the geo.* calls look postcodes up in. */
export class ReferenceData implements NeighbourhoodLookup {
  /** Deprivation per LSOA id, resolved once at load so a lookup is two array reads. */
  private readonly iod2019ById: (IodRecord | undefined)[];
  private readonly iod2025ById: (IodRecord | undefined)[];

  constructor(
    readonly file: string,
    readonly content: ReferenceContent,
  ) {
    this.iod2019ById = content.lsoaCodes.map((code) => content.iod.IoD2019.get(code));
    this.iod2025ById = content.lsoaCodes.map((code) => content.iod.IoD2025.get(code));
  }

  static load(file: string, options: { nativeBinding?: string } = {}): ReferenceData {
    return new ReferenceData(file, loadReferenceContent(file, options));
  }

  /** Postcode in any case or spacing → neighbourhood and deprivation, or the precise reason it is unknown. */
  lookup(postcode: string): ReferenceLookup {
    const { index, lsoaCodes } = this.content;
    const at = index.find(postcode);
    if (at < 0) return unknown(NOT_IN_DATA_REASON, null, null, null);
    const flags = index.flags[at]!;
    const country = COUNTRIES[flags & COUNTRY_MASK]!;
    const id11 = index.lsoa11[at]!;
    const id21 = index.lsoa21[at]!;
    const lsoa = id21 !== NO_LSOA ? lsoaCodes[id21]! : id11 !== NO_LSOA ? lsoaCodes[id11]! : null;

    if (flags & TERMINATED_FLAG) {
      const since = monthText(index.terminatedMonth[at]!);
      return unknown(`Terminated postcode: no longer in use since ${since}. Check the client's current postcode.`, lsoa, country, since);
    }
    if (country !== 'England' && country !== 'unknown') {
      return unknown(`Outside England (${country}): ${OUTSIDE_ENGLAND}.`, lsoa, country, null);
    }
    // The 2025 indices need the 2021 neighbourhood; otherwise the 2019 indices with the 2011 one.
    const newer = id21 !== NO_LSOA ? this.iod2025ById[id21] : undefined;
    const older = id11 !== NO_LSOA ? this.iod2019ById[id11] : undefined;
    const [record, edition, code] = newer
      ? ([newer, 'IoD2025', lsoaCodes[id21]!] as const)
      : older
        ? ([older, 'IoD2019', lsoaCodes[id11]!] as const)
        : ([undefined, null, lsoa] as const);
    if (!record) {
      const reason = code
        ? `Neighbourhood ${code} is not in the Indices of Deprivation data.`
        : 'No neighbourhood (LSOA) is recorded for this postcode.';
      return unknown(reason, code, country, null);
    }
    return {
      lsoa: code,
      // The 2025 file has no names; an LSOA whose code did not change in 2021 keeps its 2011 name.
      lsoaName: record.name ?? this.content.iod.IoD2019.get(code)?.name ?? null,
      country: country === 'unknown' ? null : country,
      terminatedSince: null,
      imdDecile: record.decile,
      imdRank: record.rank,
      imdEdition: edition,
      domains: record.domains,
      reason: null,
    };
  }

  status(): ReferenceStatus {
    const { index, iod, meta, sources } = this.content;
    let terminated = 0;
    let english = 0;
    const england = COUNTRIES.indexOf('England');
    for (let i = 0; i < index.size; i++) {
      const f = index.flags[i]!;
      if (f & TERMINATED_FLAG) terminated++;
      else if ((f & COUNTRY_MASK) === england) english++;
    }
    const attribution = [...new Set(sources.flatMap((s) => s.attribution.split('\n')).filter(Boolean))];
    return {
      file: this.file,
      format: meta.format ?? REFERENCE_FORMAT,
      builtAt: meta.built_at ?? null,
      postcodes: index.size,
      livePostcodes: index.size - terminated,
      terminatedPostcodes: terminated,
      englishPostcodes: english,
      lsoas: { IoD2019: iod.IoD2019.size, IoD2025: iod.IoD2025.size },
      sources,
      attribution,
    };
  }
}

function unknown(reason: string, lsoa: string | null, country: Country | null, terminatedSince: string | null): ReferenceLookup {
  return {
    lsoa,
    lsoaName: null,
    country: country === 'unknown' ? null : country,
    terminatedSince,
    imdDecile: null,
    imdRank: null,
    imdEdition: null,
    domains: null,
    reason,
  };
}
