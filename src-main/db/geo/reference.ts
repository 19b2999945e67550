/**
 * The postcode → neighbourhood → deprivation reference, loaded for lookups: every postcode in
 * England and Wales (shipped in resources/reference/, or the user's updated copy), its 2011 and
 * 2021 LSOA, local authority and source (official or derived), the Indices of Deprivation, and
 * residents per postcode sector. `ReferenceData.load` reads the file (db/geo/reference-file.ts) into
 * memory once and closes it, so lookups never touch the disk and an import can swap the file
 * underneath.
 */
import fs from 'node:fs';
import { DEFAULT_IOD_EDITION, IOD_EDITIONS, type DomainDeciles, type IodEdition } from '../../core/deprivation.ts';
import type { NeighbourhoodLookup } from '../../core/geography.ts';
import { NOT_IN_DATA_REASON, countryOfArea, outsideReason } from '../../core/postcode-areas.ts';
import { COUNTRIES, COUNTRY_MASK, NO_LSOA, OFFICIAL_FLAG, TERMINATED_FLAG, monthText, type Country } from '../../core/postcode-index.ts';
import {
  DECILES_PER_LSOA,
  NO_AUTHORITY,
  REFERENCE_FORMAT,
  domainsAt,
  loadPackedReference,
  type PackedReference,
  type PopulationTable,
  type SourceInfo,
} from './reference-file.ts';

export { NOT_IN_DATA_REASON } from '../../core/postcode-areas.ts';
export { ReferenceError, REFERENCE_FORMAT } from './reference-file.ts';

export interface LocalAuthority {
  code: string;
  name: string;
}

export type PostcodeSourceKind = 'official' | 'derived';

export interface ReferenceLookup {
  /** The neighbourhood (LSOA code) the decile is for, or the best known one; null when none. */
  lsoa: string | null;
  lsoaName: string | null;
  /** The postcode's 2011 and 2021 LSOAs, whichever are known. */
  lsoa11: string | null;
  lsoa21: string | null;
  /** 2022 local authority (LTLA), from the 2021 LSOA. */
  localAuthority: LocalAuthority | null;
  country: Country | null;
  /** Where the postcode's row came from; null when the postcode is not in the data. */
  source: PostcodeSourceKind | null;
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
  welshPostcodes: number;
  officialPostcodes: number;
  derivedPostcodes: number;
  localAuthorities: number;
  populationYear: string | null;
  lsoas: Record<IodEdition, number>;
  sources: SourceInfo[];
  attribution: string[];
}

export interface NeighbourhoodDeprivation {
  edition: IodEdition;
  imdRank: number;
  imdDecile: number;
  domains: Readonly<DomainDeciles>;
}

export interface SectorResidents {
  sector: string;
  residents: number;
  /** The local authority most of the sector's residents live in, and their share (0–1). */
  mainAuthority: LocalAuthority | null;
  mainShare: number;
}

/** The loaded reference data: what `geographyFor`, the CLI and the geo.* calls look postcodes up in. */
export class ReferenceData implements NeighbourhoodLookup {
  /**
   * Domain objects made on first use per LSOA, so repeated lookups allocate nothing new. The
   * arrays are filled to their full length up front: filled at scattered positions, an empty
   * array would turn into a slow dictionary.
   */
  private readonly domainCache: Record<IodEdition, (Readonly<DomainDeciles> | null)[]>;
  private readonly authorityCache: (LocalAuthority | null)[];

  constructor(
    readonly file: string,
    readonly packed: PackedReference,
  ) {
    const n = packed.lsoaCodes.length;
    this.domainCache = { IoD2019: new Array(n).fill(null), IoD2025: new Array(n).fill(null) };
    this.authorityCache = new Array(packed.authorityCodes.length).fill(null);
  }

  /** Identifies this build of the data (stored with clients, so they are recomputed when it changes). */
  get stamp(): string {
    return `${this.packed.meta.built_at ?? 'unknown'} ${this.packed.index.size}`;
  }

  static load(file: string, options: { nativeBinding?: string } = {}): ReferenceData {
    return new ReferenceData(file, loadPackedReference(file, options));
  }

  /** Month names are slow to format (Intl), and a few hundred months cover every terminated postcode. */
  private readonly terminations = new Map<number, { since: string; reason: string }>();
  private termination(month: number): { since: string; reason: string } {
    let entry = this.terminations.get(month);
    if (!entry) {
      const since = monthText(month);
      entry = { since, reason: `Terminated postcode: no longer in use since ${since}. Check the client's current postcode.` };
      this.terminations.set(month, entry);
    }
    return entry;
  }

  private domains(edition: IodEdition, id: number): Readonly<DomainDeciles> {
    const cache = this.domainCache[edition];
    return (cache[id] ??= Object.freeze(domainsAt(this.packed.iod[edition].deciles, id)));
  }

  private authorityOfIds(id21: number, id11: number): LocalAuthority | null {
    const { lsoaAuthority } = this.packed;
    let at = id21 !== NO_LSOA ? lsoaAuthority[id21]! : NO_AUTHORITY;
    if (at === NO_AUTHORITY && id11 !== NO_LSOA) at = lsoaAuthority[id11]!;
    if (at === NO_AUTHORITY) return null;
    return (this.authorityCache[at] ??= Object.freeze({ code: this.packed.authorityCodes[at]!, name: this.packed.authorityNames[at]! }));
  }

  /** The LSOA's name in the geography of an edition (2011 for IoD2019, 2021 for IoD2025). */
  private nameOf(id: number, edition: IodEdition): string | null {
    const { lsoaNames, lsoaNames2011 } = this.packed;
    return (edition === 'IoD2019' ? lsoaNames2011[id] || lsoaNames[id] : lsoaNames[id] || lsoaNames2011[id]) || null;
  }

  private code(id: number): string | null {
    return id === NO_LSOA ? null : this.packed.lsoaCodes[id]!;
  }

  /**
   * Postcode in any case or spacing → neighbourhood, local authority and deprivation in the
   * chosen edition (IoD2025 by default, wherever the 2021 LSOA is known; the other edition when
   * the chosen one cannot be had), or the precise reason it is unknown.
   */
  lookup(postcode: string, edition: IodEdition = DEFAULT_IOD_EDITION): ReferenceLookup {
    const { index, iod } = this.packed;
    const at = index.find(postcode);
    if (at < 0) return this.notFound(postcode);
    const flags = index.flags[at]!;
    const country = COUNTRIES[flags & COUNTRY_MASK]!;
    const id11 = index.lsoa11[at]!;
    const id21 = index.lsoa21[at]!;
    // Built in one literal, not by spreading parts: this runs millions of times in a recompute.
    const found: ReferenceLookup = {
      lsoa: null,
      lsoaName: null,
      lsoa11: this.code(id11),
      lsoa21: this.code(id21),
      localAuthority: this.authorityOfIds(id21, id11),
      country: country === 'unknown' ? null : country,
      source: flags & OFFICIAL_FLAG ? 'official' : 'derived',
      terminatedSince: null,
      imdDecile: null,
      imdRank: null,
      imdEdition: null,
      domains: null,
      reason: null,
    };
    // The 2025 indices need the 2021 neighbourhood, the 2019 indices the 2011 one.
    const has2025 = id21 !== NO_LSOA && iod.IoD2025.rank[id21]! > 0;
    const has2019 = id11 !== NO_LSOA && iod.IoD2019.rank[id11]! > 0;
    const used: IodEdition | null = has2025 && (edition === 'IoD2025' || !has2019) ? 'IoD2025' : has2019 ? 'IoD2019' : null;
    const terminated = (flags & TERMINATED_FLAG) !== 0;
    const outside = country !== 'England' && country !== 'unknown';
    if (used === null || terminated || outside) {
      // No decile: the best-known neighbourhood, and why.
      const best = id21 !== NO_LSOA ? id21 : id11;
      found.lsoa = this.code(best);
      found.lsoaName = best === NO_LSOA ? null : this.nameOf(best, best === id21 ? 'IoD2025' : 'IoD2019');
      if (terminated) {
        const { since, reason } = this.termination(index.terminatedMonth[at]!);
        found.terminatedSince = since;
        found.reason = reason;
      } else if (outside) found.reason = outsideReason(country);
      else {
        found.reason =
          best !== NO_LSOA
            ? `Neighbourhood ${this.code(best)} is not in the Indices of Deprivation data.`
            : 'No neighbourhood (LSOA) is recorded for this postcode.';
      }
      return found;
    }
    const id = used === 'IoD2025' ? id21 : id11;
    found.lsoa = this.packed.lsoaCodes[id]!;
    found.lsoaName = this.nameOf(id, used);
    found.imdDecile = iod[used].deciles[id * DECILES_PER_LSOA]!;
    found.imdRank = iod[used].rank[id]!;
    found.imdEdition = used;
    found.domains = this.domains(used, id);
    return found;
  }

  /** A postcode that is not in the data: outside England and Wales by its area, or missing. */
  private notFound(postcode: string): ReferenceLookup {
    const compact = postcode.replace(/\s+/g, '').toUpperCase();
    const district = compact.slice(0, -3);
    const country = countryOfArea(/^[A-Z]+/.exec(district)?.[0] ?? '');
    // Berwick (TD15) and a few others are English districts in Scottish areas: a postcode there is simply missing.
    const { index } = this.packed;
    const englandOrWales = (at: number) => {
      const c = COUNTRIES[index.flags[at]! & COUNTRY_MASK];
      return c === 'England' || c === 'Wales';
    };
    const outside = country !== null && !index.districtHas(district, englandOrWales);
    return {
      lsoa: null,
      lsoaName: null,
      lsoa11: null,
      lsoa21: null,
      localAuthority: null,
      country: outside ? country : null,
      source: null,
      terminatedSince: null,
      ...NO_DECILE,
      reason: outside ? outsideReason(country) : NOT_IN_DATA_REASON,
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
    return { lsoa: lsoaCode, name: this.nameOf(id, 'IoD2025'), deprivation };
  }

  private lsoaIds: Map<string, number> | null = null;
  private lsoaIdOf(code: string): number {
    this.lsoaIds ??= new Map(this.packed.lsoaCodes.map((c, i) => [c, i]));
    return this.lsoaIds.get(code.trim().toUpperCase()) ?? -1;
  }

  /** Positions of a sector's ("PR1 2") postcodes that are not known to be terminated. */
  *postcodesInSector(sector: string): IterableIterator<number> {
    const [from, to] = this.packed.index.sectorRange(sector);
    for (let i = from; i < to; i++) if (!(this.packed.index.flags[i]! & TERMINATED_FLAG)) yield i;
  }

  /** Positions of every English postcode not known to be terminated, in postcode order (for demo data). */
  englishPostcodePositions(): Uint32Array {
    const { flags } = this.packed.index;
    const england = COUNTRIES.indexOf('England');
    const positions: number[] = [];
    for (let i = 0; i < flags.length; i++) if ((flags[i]! & (COUNTRY_MASK | TERMINATED_FLAG)) === england) positions.push(i);
    return Uint32Array.from(positions);
  }

  // ---- people per sector and local authority ----

  population(): PopulationTable | null {
    return this.packed.population();
  }

  private authorityByCode: Map<string, LocalAuthority> | null = null;
  authority(code: string): LocalAuthority | null {
    this.authorityByCode ??= new Map(this.packed.authorityCodes.map((c, i) => [c, { code: c, name: this.packed.authorityNames[i]! }]));
    return this.authorityByCode.get(code) ?? null;
  }

  /** Every local authority with its residents (mid-2020), by name. */
  localAuthorities(): (LocalAuthority & { residents: number | null })[] {
    const population = this.population();
    return this.packed.authorityCodes
      .map((code, i) => ({ code, name: this.packed.authorityNames[i]!, residents: population?.authorities[code] ?? null }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
  }

  /** Residents of a postcode sector, and the local authority most of them live in; null when not known. */
  sectorResidents(sector: string): SectorResidents | null {
    const bySector = this.population()?.sectors[sector];
    if (!bySector) return null;
    let residents = 0;
    let main: [string, number] | null = null;
    for (const [code, n] of Object.entries(bySector)) {
      residents += n;
      if (code && (!main || n > main[1])) main = [code, n];
    }
    return { sector, residents, mainAuthority: main ? this.authority(main[0]) : null, mainShare: main && residents ? main[1] / residents : 0 };
  }

  /** Sectors at least half of whose residents live in the given local authorities ("our area"). */
  sectorsOfAuthorities(codes: readonly string[]): string[] {
    const wanted = new Set(codes);
    const population = this.population();
    if (!population || wanted.size === 0) return [];
    const out: string[] = [];
    for (const [sector, bySector] of Object.entries(population.sectors)) {
      let inside = 0;
      let total = 0;
      for (const [code, n] of Object.entries(bySector)) {
        total += n;
        if (wanted.has(code)) inside += n;
      }
      if (total > 0 && inside * 2 >= total) out.push(sector);
    }
    return out;
  }

  status(): ReferenceStatus {
    const { index, iod, meta, sources } = this.packed;
    let terminated = 0;
    let english = 0;
    let welsh = 0;
    let official = 0;
    const england = COUNTRIES.indexOf('England');
    const wales = COUNTRIES.indexOf('Wales');
    for (let i = 0; i < index.size; i++) {
      const f = index.flags[i]!;
      if (f & OFFICIAL_FLAG) official++;
      if (f & TERMINATED_FLAG) terminated++;
      else if ((f & COUNTRY_MASK) === england) english++;
      else if ((f & COUNTRY_MASK) === wales) welsh++;
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
      welshPostcodes: welsh,
      officialPostcodes: official,
      derivedPostcodes: index.size - official,
      localAuthorities: this.packed.authorityCodes.length,
      populationYear: this.population()?.year ?? null,
      lsoas: { IoD2019: covered('IoD2019'), IoD2025: covered('IoD2025') },
      sources,
      attribution,
    };
  }
}

const NO_DECILE = { imdDecile: null, imdRank: null, imdEdition: null, domains: null } as const;

/** Loaded files, kept while the file on disk is unchanged (an import renames a new file over it). */
const loaded = new Map<string, { stamp: string; data: ReferenceData }>();

/** ReferenceData.load, reusing the copy already in memory when the file has not changed since. */
export function loadReferenceCached(file: string, options: { nativeBinding?: string } = {}): ReferenceData {
  const stat = fs.statSync(file);
  const stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  const hit = loaded.get(file);
  if (hit && hit.stamp === stamp) return hit.data;
  const data = ReferenceData.load(file, options);
  loaded.set(file, { stamp, data });
  return data;
}
