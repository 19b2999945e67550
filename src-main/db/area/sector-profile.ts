/**
 * Postcode sector → Indices of Deprivation domain profile, read from the reference data through
 * its public API: the sector's English postcodes (not known to be terminated) give its neighbourhoods (LSOAs), and their
 * domain deciles are averaged (each neighbourhood once, however many postcodes it has).
 */
import { averageDomains } from '../../core/area/profile.ts';
import type { DomainDeciles } from '../../core/deprivation.ts';
import { postcodeFromKey } from '../../core/postcode-index.ts';
import type { ReferenceData } from '../geo/reference.ts';

export interface SectorProfile {
  sector: string;
  neighbourhoods: number;
  domains: DomainDeciles;
  imdDecile: number;
}

const cache = new WeakMap<ReferenceData, Map<string, SectorProfile | null>>();

/** Profiles of the given sectors (sectors with no English neighbourhood in the data are left out). */
export function sectorProfiles(reference: ReferenceData, sectors: Iterable<string>): Map<string, SectorProfile> {
  const known = cache.get(reference) ?? cache.set(reference, new Map()).get(reference)!;
  const keys = reference.packed.index.keys;
  const wanted = [...sectors]; // may be a one-pass iterator
  for (const sector of wanted) {
    if (known.has(sector)) continue;
    // A sector's postcodes sit together in the index, so this visits only them.
    const lsoas = new Map<string, { domains: Readonly<DomainDeciles>; imd: number }>();
    for (const at of reference.postcodesInSector(sector)) {
      const found = reference.lookup(postcodeFromKey(keys[at]!));
      if (!found.lsoa || !found.domains || found.imdDecile === null) continue;
      if (!lsoas.has(found.lsoa)) lsoas.set(found.lsoa, { domains: found.domains, imd: found.imdDecile });
    }
    const list = [...lsoas.values()];
    const domains = averageDomains(list.map((l) => l.domains));
    known.set(sector, domains ? { sector, neighbourhoods: list.length, domains, imdDecile: list.reduce((n, l) => n + l.imd, 0) / list.length } : null);
  }
  const out = new Map<string, SectorProfile>();
  for (const s of wanted) {
    const p = known.get(s);
    if (p) out.set(s, p);
  }
  return out;
}
