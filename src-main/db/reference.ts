/**
 * The postcode → neighbourhood → deprivation reference: a read-only SQLite file (shipped in
 * resources/reference/, or the user's updated copy) holding the LSOA codes, the Indices of
 * Deprivation rows, the sources with their licences, and the postcode index as typed-array
 * blobs. `ReferenceData.load` reads it all into memory once and closes the file, so lookups
 * never touch the disk and an import can swap the file underneath.
 */
import fs from 'node:fs';
import os from 'node:os';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { DOMAIN_NAMES, IOD_EDITIONS, type DomainDeciles, type IodEdition } from '../core/deprivation.ts';
import type { NeighbourhoodLookup } from '../core/geography.ts';
import { COUNTRIES, COUNTRY_MASK, NO_LSOA, PostcodeIndex, TERMINATED_FLAG, monthText, type Country } from '../core/postcode-index.ts';
import type { SqliteDatabase } from './open.ts';

export const REFERENCE_FORMAT = '1';

export const NOT_IN_DATA_REASON = 'Not in the postcode data — a new or mistyped postcode?';
export const OUTSIDE_ENGLAND = 'the English Indices of Deprivation do not apply';

const OUTSIDE_ENGLAND_REASONS = Object.fromEntries(COUNTRIES.map((c) => [c, `Outside England (${c}): ${OUTSIDE_ENGLAND}.`])) as Record<Country, string>;

export class ReferenceError extends Error {
  override name = 'ReferenceError';
}

/**
 * The tables of a reference file. Besides the metadata and sources, everything is a packed,
 * deflated blob ("part"), so the file stays small and loads in milliseconds:
 *   lsoa.codes            every LSOA code, "\n"-joined; a code's position is its id
 *   postcodes.keys        Float64 sorted postcode keys (see core/postcode-index.ts)
 *   postcodes.lsoa11/21   Uint32 LSOA id per postcode (0xFFFFFFFF = none)
 *   postcodes.flags       Uint8 country (low 3 bits) | 8 when terminated
 *   postcodes.terminated  Uint16 months since 1900 of termination (0 = live)
 *   <edition>.rank        Uint32 IMD rank per LSOA id (0 = not in that edition)
 *   <edition>.deciles     Uint8 × 8 per LSOA id: IMD decile, then the 7 domain deciles
 *   <edition>.names       LSOA names per LSOA id, "\n"-joined ("" = none)
 * All typed arrays are little-endian.
 */
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
CREATE TABLE part (name TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
`;

const DECILES_PER_LSOA = 1 + DOMAIN_NAMES.length;

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

/** Everything a reference file holds, as the importer merges it (maps by LSOA code). */
export interface ReferenceContent {
  meta: Record<string, string>;
  sources: SourceInfo[];
  lsoaCodes: string[];
  iod: Record<IodEdition, Map<string, IodRecord>>;
  index: PostcodeIndex;
}

/** One edition of the Indices, as arrays indexed by LSOA id (what lookups read). */
export interface PackedIod {
  rank: Uint32Array;
  deciles: Uint8Array;
  names: string[];
}

/** A reference file as loaded for lookups. */
export interface PackedReference {
  meta: Record<string, string>;
  sources: SourceInfo[];
  lsoaCodes: string[];
  index: PostcodeIndex;
  iod: Record<IodEdition, PackedIod>;
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

/** Inflates a part into fresh (aligned) memory. */
function partBuffer(parts: Map<string, Buffer>, name: string): ArrayBuffer {
  const blob = parts.get(name);
  if (!blob) throw new ReferenceError(`The reference file is damaged: it has no "${name}" part.`);
  const raw = inflateRawSync(blob);
  const copy = new ArrayBuffer(raw.byteLength);
  new Uint8Array(copy).set(raw);
  return copy;
}

function partText(parts: Map<string, Buffer>, name: string): string[] {
  const text = Buffer.from(partBuffer(parts, name)).toString('utf8');
  return text === '' ? [] : text.split('\n');
}

export function readPackedReference(sqlite: SqliteDatabase): PackedReference {
  assertLittleEndian();
  const meta = Object.fromEntries((sqlite.prepare('SELECT key, value FROM meta').raw().all() as [string, string][]).map(([k, v]) => [k, v]));
  if (meta.format !== REFERENCE_FORMAT) {
    throw new ReferenceError(`This reference file has format ${meta.format ?? 'unknown'}; this version of NeedMap reads format ${REFERENCE_FORMAT}.`);
  }
  const sources = sqlite
    .prepare('SELECT id, title, publisher, released, licence, attribution, files, rows, imported_at AS importedAt FROM source ORDER BY id')
    .all() as SourceInfo[];
  const parts = new Map(sqlite.prepare('SELECT name, data FROM part').raw().all() as [string, Buffer][]);
  const lsoaCodes = partText(parts, 'lsoa.codes');
  const index = new PostcodeIndex(
    new Float64Array(partBuffer(parts, 'postcodes.keys')),
    new Uint32Array(partBuffer(parts, 'postcodes.lsoa11')),
    new Uint32Array(partBuffer(parts, 'postcodes.lsoa21')),
    new Uint8Array(partBuffer(parts, 'postcodes.flags')),
    new Uint16Array(partBuffer(parts, 'postcodes.terminated')),
  );
  const iod = {} as Record<IodEdition, PackedIod>;
  for (const edition of IOD_EDITIONS) {
    const packed = {
      rank: new Uint32Array(partBuffer(parts, `${edition}.rank`)),
      deciles: new Uint8Array(partBuffer(parts, `${edition}.deciles`)),
      names: partText(parts, `${edition}.names`),
    };
    if (packed.rank.length !== lsoaCodes.length || packed.deciles.length !== lsoaCodes.length * DECILES_PER_LSOA) {
      throw new ReferenceError(`The reference file is damaged: its ${edition} parts do not match its LSOA list.`);
    }
    iod[edition] = packed;
  }
  return { meta, sources, lsoaCodes, index, iod };
}

function domainsAt(deciles: Uint8Array, id: number): DomainDeciles {
  const domains = {} as DomainDeciles;
  DOMAIN_NAMES.forEach((d, i) => (domains[d] = deciles[id * DECILES_PER_LSOA + 1 + i]!));
  return domains;
}

export function unpackReference(packed: PackedReference): ReferenceContent {
  const iod = { IoD2019: new Map(), IoD2025: new Map() } as Record<IodEdition, Map<string, IodRecord>>;
  for (const edition of IOD_EDITIONS) {
    const { rank, deciles, names } = packed.iod[edition];
    packed.lsoaCodes.forEach((code, id) => {
      if (rank[id] === 0) return;
      iod[edition].set(code, {
        name: names[id] || null,
        rank: rank[id]!,
        decile: deciles[id * DECILES_PER_LSOA]!,
        domains: Object.freeze(domainsAt(deciles, id)),
      });
    });
  }
  return { meta: packed.meta, sources: packed.sources, lsoaCodes: packed.lsoaCodes, iod, index: packed.index };
}

export function readReferenceContent(sqlite: SqliteDatabase): ReferenceContent {
  return unpackReference(readPackedReference(sqlite));
}

function deflated(view: ArrayBufferView | string): Buffer {
  const raw = typeof view === 'string' ? Buffer.from(view, 'utf8') : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return deflateRawSync(raw, { level: 9 });
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
  if (content.lsoaCodes.some((code) => code.includes('\n'))) throw new ReferenceError('An LSOA code contains a line break.');
  const part = sqlite.prepare('INSERT INTO part (name, data) VALUES (?, ?)');
  const { index, lsoaCodes } = content;
  part.run('lsoa.codes', deflated(lsoaCodes.join('\n')));
  part.run('postcodes.keys', deflated(index.keys));
  part.run('postcodes.lsoa11', deflated(index.lsoa11));
  part.run('postcodes.lsoa21', deflated(index.lsoa21));
  part.run('postcodes.flags', deflated(index.flags));
  part.run('postcodes.terminated', deflated(index.terminatedMonth));
  for (const edition of IOD_EDITIONS) {
    const rank = new Uint32Array(lsoaCodes.length);
    const deciles = new Uint8Array(lsoaCodes.length * DECILES_PER_LSOA);
    const names: string[] = new Array<string>(lsoaCodes.length).fill('');
    lsoaCodes.forEach((code, id) => {
      const r = content.iod[edition].get(code);
      if (!r) return;
      rank[id] = r.rank;
      deciles[id * DECILES_PER_LSOA] = r.decile;
      DOMAIN_NAMES.forEach((d, i) => (deciles[id * DECILES_PER_LSOA + 1 + i] = r.domains[d]));
      names[id] = (r.name ?? '').replace(/\s+/g, ' ');
    });
    const known = new Set(lsoaCodes);
    for (const code of content.iod[edition].keys()) {
      if (!known.has(code)) throw new ReferenceError(`LSOA ${code} has ${edition} data but no id.`);
    }
    part.run(`${edition}.rank`, deflated(rank));
    part.run(`${edition}.deciles`, deflated(deciles));
    part.run(`${edition}.names`, deflated(names.join('\n')));
  }
}

export function openReferenceFile(file: string, options: { readonly?: boolean; nativeBinding?: string } = {}): SqliteDatabase {
  if (options.readonly !== false && !fs.existsSync(file)) throw new ReferenceError(`There is no postcode reference file at ${file}.`);
  return new Database(file, {
    readonly: options.readonly ?? true,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
}

export function loadReferenceContent(file: string, options: { nativeBinding?: string } = {}): ReferenceContent {
  return unpackReference(loadPackedReference(file, options));
}

export function loadPackedReference(file: string, options: { nativeBinding?: string } = {}): PackedReference {
  const sqlite = openReferenceFile(file, options);
  try {
    return readPackedReference(sqlite);
  } catch (error) {
    if (error instanceof ReferenceError) throw error;
    throw new ReferenceError(`${file} is not a NeedMap postcode reference file (${(error as Error).message}).`);
  } finally {
    sqlite.close();
  }
}

export interface NeighbourhoodDeprivation {
  edition: IodEdition;
  imdRank: number;
  imdDecile: number;
  domains: Readonly<DomainDeciles>;
}

/** The loaded reference data: what `geographyFor`, the CLI and the geo.* calls look postcodes up in. */
export class ReferenceData implements NeighbourhoodLookup {
  /** Domain objects made on first use per LSOA, so repeated lookups allocate nothing new. */
  private readonly domainCache: Record<IodEdition, (Readonly<DomainDeciles> | undefined)[]> = { IoD2019: [], IoD2025: [] };

  constructor(
    readonly file: string,
    readonly packed: PackedReference,
  ) {}

  static load(file: string, options: { nativeBinding?: string } = {}): ReferenceData {
    return new ReferenceData(file, loadPackedReference(file, options));
  }

  /** Month names are slow to format (Intl), and a few hundred months cover every terminated postcode. */
  private readonly terminations = new Map<number, { since: string; reason: string }>();
  private cacheTermination(month: number): { since: string; reason: string } {
    const since = monthText(month);
    const entry = { since, reason: `Terminated postcode: no longer in use since ${since}. Check the client's current postcode.` };
    this.terminations.set(month, entry);
    return entry;
  }

  private domains(edition: IodEdition, id: number): Readonly<DomainDeciles> {
    const cache = this.domainCache[edition];
    return (cache[id] ??= Object.freeze(domainsAt(this.packed.iod[edition].deciles, id)));
  }

  private nameOf(id: number): string | null {
    // LSOAs unchanged in 2021 kept their 2011 code, so the 2019 names cover most 2021 codes too.
    return this.packed.iod.IoD2025.names[id] || this.packed.iod.IoD2019.names[id] || null;
  }

  /** Postcode in any case or spacing → neighbourhood and deprivation, or the precise reason it is unknown. */
  lookup(postcode: string): ReferenceLookup {
    const { index, lsoaCodes, iod } = this.packed;
    const at = index.find(postcode);
    if (at < 0) return unknown(NOT_IN_DATA_REASON, null, null, null);
    const flags = index.flags[at]!;
    const country = COUNTRIES[flags & COUNTRY_MASK]!;
    const id11 = index.lsoa11[at]!;
    const id21 = index.lsoa21[at]!;
    const lsoa = id21 !== NO_LSOA ? lsoaCodes[id21]! : id11 !== NO_LSOA ? lsoaCodes[id11]! : null;

    if (flags & TERMINATED_FLAG) {
      const month = index.terminatedMonth[at]!;
      const { since, reason } = this.terminations.get(month) ?? this.cacheTermination(month);
      return unknown(reason, lsoa, country, since);
    }
    if (country !== 'England' && country !== 'unknown') {
      return unknown(OUTSIDE_ENGLAND_REASONS[country], lsoa, country, null);
    }
    // The 2025 indices need the 2021 neighbourhood; otherwise the 2019 indices with the 2011 one.
    let edition: IodEdition;
    let id: number;
    if (id21 !== NO_LSOA && iod.IoD2025.rank[id21]! > 0) {
      edition = 'IoD2025';
      id = id21;
    } else if (id11 !== NO_LSOA && iod.IoD2019.rank[id11]! > 0) {
      edition = 'IoD2019';
      id = id11;
    } else {
      const reason = lsoa ? `Neighbourhood ${lsoa} is not in the Indices of Deprivation data.` : 'No neighbourhood (LSOA) is recorded for this postcode.';
      return unknown(reason, lsoa, country, null);
    }
    return {
      lsoa: lsoaCodes[id]!,
      lsoaName: this.nameOf(id),
      country: country === 'unknown' ? null : country,
      terminatedSince: null,
      imdDecile: iod[edition].deciles[id * DECILES_PER_LSOA]!,
      imdRank: iod[edition].rank[id]!,
      imdEdition: edition,
      domains: this.domains(edition, id),
      reason: null,
    };
  }

  /** An LSOA's name and its deprivation in each edition that covers it (for reports and maps). */
  neighbourhood(lsoaCode: string): { lsoa: string; name: string | null; deprivation: NeighbourhoodDeprivation[] } | null {
    const id = this.lsoaIdOf(lsoaCode);
    if (id < 0) return null;
    const deprivation: NeighbourhoodDeprivation[] = [];
    for (const edition of IOD_EDITIONS) {
      const { rank, deciles } = this.packed.iod[edition];
      if (rank[id]! > 0) deprivation.push({ edition, imdRank: rank[id]!, imdDecile: deciles[id * DECILES_PER_LSOA]!, domains: this.domains(edition, id) });
    }
    return { lsoa: lsoaCode, name: this.nameOf(id), deprivation };
  }

  private lsoaIds: Map<string, number> | null = null;
  private lsoaIdOf(code: string): number {
    this.lsoaIds ??= new Map(this.packed.lsoaCodes.map((c, i) => [c, i]));
    return this.lsoaIds.get(code.trim().toUpperCase()) ?? -1;
  }

  /** Every live English postcode with its IMD decile, in postcode order (for demo data). */
  *liveEnglishPostcodes(): IterableIterator<{ key: number; imdDecile: number; edition: IodEdition }> {
    const { index, iod } = this.packed;
    const england = COUNTRIES.indexOf('England');
    for (let i = 0; i < index.size; i++) {
      if (index.flags[i] !== england) continue;
      const id21 = index.lsoa21[i]!;
      const id11 = index.lsoa11[i]!;
      if (id21 !== NO_LSOA && iod.IoD2025.rank[id21]! > 0)
        yield { key: index.keys[i]!, imdDecile: iod.IoD2025.deciles[id21 * DECILES_PER_LSOA]!, edition: 'IoD2025' };
      else if (id11 !== NO_LSOA && iod.IoD2019.rank[id11]! > 0)
        yield { key: index.keys[i]!, imdDecile: iod.IoD2019.deciles[id11 * DECILES_PER_LSOA]!, edition: 'IoD2019' };
    }
  }

  status(): ReferenceStatus {
    const { index, iod, meta, sources } = this.packed;
    let terminated = 0;
    let english = 0;
    const england = COUNTRIES.indexOf('England');
    for (let i = 0; i < index.size; i++) {
      const f = index.flags[i]!;
      if (f & TERMINATED_FLAG) terminated++;
      else if ((f & COUNTRY_MASK) === england) english++;
    }
    const attribution = [...new Set(sources.flatMap((s) => s.attribution.split('\n')).filter(Boolean))];
    const covered = (edition: IodEdition) => iod[edition].rank.reduce((n, r) => (r > 0 ? n + 1 : n), 0);
    return {
      file: this.file,
      format: meta.format ?? REFERENCE_FORMAT,
      builtAt: meta.built_at ?? null,
      postcodes: index.size,
      livePostcodes: index.size - terminated,
      terminatedPostcodes: terminated,
      englishPostcodes: english,
      lsoas: { IoD2019: covered('IoD2019'), IoD2025: covered('IoD2025') },
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
