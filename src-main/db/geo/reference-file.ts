/**
 * The reference file's format (version 2): a small SQLite file of metadata, sources and packed,
 * deflated "parts". Reading it gives either the PackedReference lookups use (typed arrays, read
 * once into memory) or the ReferenceContent the importer merges (maps by code).
 *
 * Parts (all little-endian; "ids" are positions in lsoa.codes):
 *   lsoa.codes / lsoa.names   every LSOA code (2011 and 2021, England and Wales and any imported),
 *                             "\n"-joined, and its name ("" = none): the 2021 name of a 2021 code
 *   lsoa.names2011            the 2011 name where it differs (ONS renumbered some in 2021; "" = same)
 *   lsoa.population           Uint32 per id: ONS mid-2020 residents of a 2011 LSOA (0 = none)
 *   lsoa.authority            Uint16 per id: index into authority.codes (0xFFFF = none)
 *   lsoa.successors           Uint32 pairs (2011 id, 2021 id): the ONS 2011 → 2021 lookup
 *   authority.codes / .names  2022 local authorities (LTLA), "\n"-joined
 *   postcodes.keys            sorted postcode keys (core/postcode-index.ts) as packed gaps
 *   postcodes.lsoa11          packed ids (core/packed-columns.ts), against the previous row
 *   postcodes.lsoa21          packed ids, against the same row's lsoa11 (mostly equal)
 *   postcodes.flags           Uint8: country (low 3 bits) | 8 terminated | 16 official
 *   postcodes.terminated      Uint16 months since 1900 of termination (0 = live)
 *   <edition>.rank            Uint32 IMD rank per id (0 = not in that edition)
 *   <edition>.deciles         Uint8 × 8 per id: IMD decile, then the 7 domain deciles
 *   population.sectors        JSON: residents per postcode sector and local authority (derived)
 */
import fs from 'node:fs';
import os from 'node:os';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { DOMAIN_NAMES, IOD_EDITIONS, type DomainDeciles, type IodEdition } from '../../core/deprivation.ts';
import { packIds, packSortedKeys, unpackIds, unpackSortedKeys } from '../../core/packed-columns.ts';
import { PostcodeIndex } from '../../core/postcode-index.ts';
import type { SqliteDatabase } from '../open.ts';

export const REFERENCE_FORMAT = '2';
export const NO_AUTHORITY = 0xffff;
export const DECILES_PER_LSOA = 1 + DOMAIN_NAMES.length;

export class ReferenceError extends Error {
  override name = 'ReferenceError';
}

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

/** Residents per sector, split by local authority (code → residents), and per local authority. */
export interface PopulationTable {
  /** "mid-2020" */
  year: string;
  /** Which postcodes counted when sharing each LSOA's residents out, in words. */
  basis: string;
  sectors: Record<string, Record<string, number>>;
  authorities: Record<string, number>;
  /** Residents of LSOAs none of whose postcodes counted (in no sector). */
  unplaced: number;
}

/** Everything a reference file holds, as the importer merges it (maps by code). */
export interface ReferenceContent {
  meta: Record<string, string>;
  sources: SourceInfo[];
  /** Id order: the index's LSOA ids are positions here. */
  lsoaCodes: string[];
  /** Names (the 2021 one where a code is both), and the 2011 names. */
  lsoaNames: Map<string, string>;
  lsoaNames2011: Map<string, string>;
  /** Residents (mid-2020) of each 2011 LSOA. */
  lsoaPopulation: Map<string, number>;
  /** LSOA code → 2022 local authority code. */
  lsoaAuthority: Map<string, string>;
  /** 2022 local authority code → name. */
  authorities: Map<string, string>;
  /** 2011 LSOA → its 2021 LSOAs (ONS lookup). */
  successors: Map<string, string[]>;
  iod: Record<IodEdition, Map<string, IodRecord>>;
  index: PostcodeIndex;
  population: PopulationTable | null;
}

/** One edition of the Indices, as arrays indexed by LSOA id (what lookups read). */
export interface PackedIod {
  rank: Uint32Array;
  deciles: Uint8Array;
}

/** A reference file as loaded for lookups. */
export interface PackedReference {
  meta: Record<string, string>;
  sources: SourceInfo[];
  lsoaCodes: string[];
  lsoaNames: string[];
  /** "" where the 2011 name is the same as lsoaNames'. */
  lsoaNames2011: string[];
  lsoaPopulation: Uint32Array;
  lsoaAuthority: Uint16Array;
  successors: Uint32Array;
  authorityCodes: string[];
  authorityNames: string[];
  index: PostcodeIndex;
  iod: Record<IodEdition, PackedIod>;
  /** Parsed on first use (most sessions never need it). */
  population: () => PopulationTable | null;
}

function assertLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new ReferenceError('The postcode index is stored little-endian; this computer is big-endian.');
}

class Parts {
  constructor(private readonly parts: Map<string, Buffer>) {}

  has(name: string): boolean {
    return this.parts.has(name);
  }

  /** Inflates a part into fresh (aligned) memory. */
  bytes(name: string): Uint8Array {
    const blob = this.parts.get(name);
    if (!blob) throw new ReferenceError(`The reference file is damaged: it has no "${name}" part.`);
    const raw = inflateRawSync(blob);
    const copy = new Uint8Array(raw.byteLength);
    copy.set(raw);
    return copy;
  }

  text(name: string): string[] {
    const text = Buffer.from(this.bytes(name)).toString('utf8');
    return text === '' ? [] : text.split('\n');
  }
}

function sized<T extends { length: number }>(name: string, array: T, length: number): T {
  if (array.length !== length) throw new ReferenceError(`The reference file is damaged: its "${name}" part does not match its LSOA list.`);
  return array;
}

export function readPackedReference(sqlite: SqliteDatabase): PackedReference {
  assertLittleEndian();
  const meta = Object.fromEntries(sqlite.prepare('SELECT key, value FROM meta').raw().all() as [string, string][]);
  if (meta.format !== REFERENCE_FORMAT) {
    throw new ReferenceError(`This reference file has format ${meta.format ?? 'unknown'}; this version of NeedMap reads format ${REFERENCE_FORMAT}.`);
  }
  const sources = sqlite
    .prepare('SELECT id, title, publisher, released, licence, attribution, files, rows, imported_at AS importedAt FROM source ORDER BY id')
    .all() as SourceInfo[];
  const parts = new Parts(new Map(sqlite.prepare('SELECT name, data FROM part').raw().all() as [string, Buffer][]));
  const lsoaCodes = parts.text('lsoa.codes');
  const n = lsoaCodes.length;
  const count = Number(meta.postcodes ?? NaN);
  if (!Number.isInteger(count) || count < 0) throw new ReferenceError('The reference file is damaged: it does not say how many postcodes it holds.');
  const keys = unpackSortedKeys(parts.bytes('postcodes.keys'), count);
  const lsoa11 = unpackIds(parts.bytes('postcodes.lsoa11'), count);
  const lsoa21 = unpackIds(parts.bytes('postcodes.lsoa21'), count, lsoa11);
  const index = new PostcodeIndex(keys, lsoa11, lsoa21, parts.bytes('postcodes.flags'), new Uint16Array(parts.bytes('postcodes.terminated').buffer));
  const iod = {} as Record<IodEdition, PackedIod>;
  for (const edition of IOD_EDITIONS) {
    iod[edition] = {
      rank: sized(`${edition}.rank`, new Uint32Array(parts.bytes(`${edition}.rank`).buffer), n),
      deciles: sized(`${edition}.deciles`, parts.bytes(`${edition}.deciles`), n * DECILES_PER_LSOA),
    };
  }
  let population: PopulationTable | null | undefined;
  return {
    meta,
    sources,
    lsoaCodes,
    lsoaNames: sized('lsoa.names', parts.text('lsoa.names'), n),
    lsoaNames2011: sized('lsoa.names2011', parts.text('lsoa.names2011'), n),
    lsoaPopulation: sized('lsoa.population', new Uint32Array(parts.bytes('lsoa.population').buffer), n),
    lsoaAuthority: sized('lsoa.authority', new Uint16Array(parts.bytes('lsoa.authority').buffer), n),
    successors: new Uint32Array(parts.bytes('lsoa.successors').buffer),
    authorityCodes: parts.text('authority.codes'),
    authorityNames: parts.text('authority.names'),
    index,
    iod,
    population: () => {
      if (population === undefined) {
        population = parts.has('population.sectors') ? (JSON.parse(Buffer.from(parts.bytes('population.sectors')).toString('utf8')) as PopulationTable) : null;
      }
      return population;
    },
  };
}

export function domainsAt(deciles: Uint8Array, id: number): DomainDeciles {
  const domains = {} as DomainDeciles;
  DOMAIN_NAMES.forEach((d, i) => (domains[d] = deciles[id * DECILES_PER_LSOA + 1 + i]!));
  return domains;
}

/** The importer's view: maps by code. */
export function unpackReference(packed: PackedReference): ReferenceContent {
  const { lsoaCodes } = packed;
  const iod = { IoD2019: new Map(), IoD2025: new Map() } as Record<IodEdition, Map<string, IodRecord>>;
  for (const edition of IOD_EDITIONS) {
    const { rank, deciles } = packed.iod[edition];
    lsoaCodes.forEach((code, id) => {
      if (rank[id] === 0) return;
      iod[edition].set(code, {
        name: (edition === 'IoD2019' ? packed.lsoaNames2011[id] : '') || packed.lsoaNames[id] || null,
        rank: rank[id]!,
        decile: deciles[id * DECILES_PER_LSOA]!,
        domains: Object.freeze(domainsAt(deciles, id)),
      });
    });
  }
  const lsoaNames = new Map<string, string>();
  const lsoaNames2011 = new Map<string, string>();
  const lsoaPopulation = new Map<string, number>();
  const lsoaAuthority = new Map<string, string>();
  lsoaCodes.forEach((code, id) => {
    if (packed.lsoaNames[id]) lsoaNames.set(code, packed.lsoaNames[id]!);
    if (packed.lsoaNames2011[id]) lsoaNames2011.set(code, packed.lsoaNames2011[id]!);
    if (packed.lsoaPopulation[id]! > 0) lsoaPopulation.set(code, packed.lsoaPopulation[id]!);
    const authority = packed.lsoaAuthority[id]!;
    if (authority !== NO_AUTHORITY) lsoaAuthority.set(code, packed.authorityCodes[authority]!);
  });
  const successors = new Map<string, string[]>();
  for (let i = 0; i + 1 < packed.successors.length; i += 2) {
    const from = lsoaCodes[packed.successors[i]!]!;
    const list = successors.get(from) ?? successors.set(from, []).get(from)!;
    list.push(lsoaCodes[packed.successors[i + 1]!]!);
  }
  return {
    meta: packed.meta,
    sources: packed.sources,
    lsoaCodes,
    lsoaNames,
    lsoaNames2011,
    lsoaPopulation,
    lsoaAuthority,
    authorities: new Map(packed.authorityCodes.map((code, i) => [code, packed.authorityNames[i] ?? ''])),
    successors,
    iod,
    index: packed.index,
    population: packed.population(),
  };
}

function deflated(view: ArrayBufferView | string): Buffer {
  const raw = typeof view === 'string' ? Buffer.from(view, 'utf8') : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return deflateRawSync(raw, { level: 9 });
}

function lines(name: string, values: readonly string[]): string {
  if (values.some((v) => v.includes('\n'))) throw new ReferenceError(`A value of ${name} contains a line break.`);
  return values.join('\n');
}

/** Writes `content` into an empty reference file (inside the caller's transaction). */
export function writeReferenceContent(sqlite: SqliteDatabase, content: ReferenceContent): void {
  assertLittleEndian();
  const { index, lsoaCodes } = content;
  const n = lsoaCodes.length;
  const ids = new Map(lsoaCodes.map((code, id) => [code, id]));
  const idOf = (code: string, what: string) => {
    const id = ids.get(code);
    if (id === undefined) throw new ReferenceError(`LSOA ${code} has ${what} but no id.`);
    return id;
  };
  sqlite.exec(REFERENCE_SCHEMA_SQL);
  const meta = sqlite.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  for (const [key, value] of Object.entries({ ...content.meta, format: REFERENCE_FORMAT, postcodes: String(index.size) })) meta.run(key, value);
  const source = sqlite.prepare(
    'INSERT INTO source (id, title, publisher, released, licence, attribution, files, rows, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const s of content.sources) source.run(s.id, s.title, s.publisher, s.released, s.licence, s.attribution, s.files, s.rows, s.importedAt);

  const part = sqlite.prepare('INSERT INTO part (name, data) VALUES (?, ?)');
  part.run('lsoa.codes', deflated(lines('lsoa.codes', lsoaCodes)));
  const nameOf = (names: Map<string, string>, code: string) => (names.get(code) ?? '').replace(/\s+/g, ' ');
  const names = lsoaCodes.map((code) => nameOf(content.lsoaNames, code) || nameOf(content.lsoaNames2011, code));
  part.run('lsoa.names', deflated(lines('lsoa.names', names)));
  const names2011 = lsoaCodes.map((code, id) => (nameOf(content.lsoaNames2011, code) === names[id] ? '' : nameOf(content.lsoaNames2011, code)));
  part.run('lsoa.names2011', deflated(lines('lsoa.names2011', names2011)));
  const population = new Uint32Array(n);
  for (const [code, residents] of content.lsoaPopulation) population[idOf(code, 'a population')] = residents;
  part.run('lsoa.population', deflated(population));
  const authorityCodes = [...content.authorities.keys()].sort();
  if (authorityCodes.length >= NO_AUTHORITY) throw new ReferenceError('Too many local authorities for the reference format.');
  const authorityIndex = new Map(authorityCodes.map((code, i) => [code, i]));
  const lsoaAuthority = new Uint16Array(n).fill(NO_AUTHORITY);
  for (const [code, authority] of content.lsoaAuthority) {
    const at = authorityIndex.get(authority);
    if (at === undefined) throw new ReferenceError(`LSOA ${code} is in local authority ${authority}, which has no name.`);
    lsoaAuthority[idOf(code, 'a local authority')] = at;
  }
  part.run('lsoa.authority', deflated(lsoaAuthority));
  const pairs: number[] = [];
  for (const [from, tos] of content.successors) for (const to of tos) pairs.push(idOf(from, '2021 successors'), idOf(to, 'a 2011 predecessor'));
  part.run('lsoa.successors', deflated(new Uint32Array(pairs)));
  part.run('authority.codes', deflated(lines('authority.codes', authorityCodes)));
  part.run(
    'authority.names',
    deflated(
      lines(
        'authority.names',
        authorityCodes.map((code) => content.authorities.get(code)!),
      ),
    ),
  );

  part.run('postcodes.keys', deflated(packSortedKeys(index.keys)));
  part.run('postcodes.lsoa11', deflated(packIds(index.lsoa11)));
  part.run('postcodes.lsoa21', deflated(packIds(index.lsoa21, index.lsoa11)));
  part.run('postcodes.flags', deflated(index.flags));
  part.run('postcodes.terminated', deflated(index.terminatedMonth));
  for (const edition of IOD_EDITIONS) {
    const rank = new Uint32Array(n);
    const deciles = new Uint8Array(n * DECILES_PER_LSOA);
    for (const [code, r] of content.iod[edition]) {
      const id = idOf(code, `${edition} data`);
      rank[id] = r.rank;
      deciles[id * DECILES_PER_LSOA] = r.decile;
      DOMAIN_NAMES.forEach((d, i) => (deciles[id * DECILES_PER_LSOA + 1 + i] = r.domains[d]));
    }
    part.run(`${edition}.rank`, deflated(rank));
    part.run(`${edition}.deciles`, deflated(deciles));
  }
  if (content.population) part.run('population.sectors', deflated(JSON.stringify(content.population)));
}

export function openReferenceFile(file: string, options: { readonly?: boolean; nativeBinding?: string } = {}): SqliteDatabase {
  if (options.readonly !== false && !fs.existsSync(file)) throw new ReferenceError(`There is no postcode reference file at ${file}.`);
  return new Database(file, {
    readonly: options.readonly ?? true,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
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

export function loadReferenceContent(file: string, options: { nativeBinding?: string } = {}): ReferenceContent {
  return unpackReference(loadPackedReference(file, options));
}
