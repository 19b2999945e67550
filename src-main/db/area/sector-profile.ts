/**
 * Postcode sector → Indices of Deprivation domain profile, read from the reference data through
 * its public API: the sector's live English postcodes give its neighbourhoods (LSOAs), and their
 * domain deciles are averaged (each neighbourhood once, however many postcodes it has).
 */
import { averageDomains } from '../../core/area/profile.ts';
import type { DomainDeciles } from '../../core/deprivation.ts';
import { postcodeFromKey } from '../../core/postcode-index.ts';
import type { ReferenceData } from '../reference.ts';

export interface SectorProfile {
  sector: string;
  neighbourhoods: number;
  domains: DomainDeciles;
  imdDecile: number;
}

const cache = new WeakMap<ReferenceData, Map<string, SectorProfile | null>>();

/** "PR1 2AB" → "PR1 2". */
function sectorOf(postcode: string): string {
  return postcode.slice(0, -2);
}

/** Profiles of the given sectors (sectors with no English neighbourhood in the data are left out). */
export function sectorProfiles(reference: ReferenceData, sectors: Iterable<string>): Map<string, SectorProfile> {
  const known = cache.get(reference) ?? cache.set(reference, new Map()).get(reference)!;
  const wanted = new Set([...sectors].filter((s) => !known.has(s)));
  if (wanted.size > 0) {
    const lsoasBySector = new Map<string, Map<string, { domains: Readonly<DomainDeciles>; imd: number }>>();
    for (const { key } of reference.liveEnglishPostcodes()) {
      const postcode = postcodeFromKey(key);
      const sector = sectorOf(postcode);
      if (!wanted.has(sector)) continue;
      const found = reference.lookup(postcode);
      if (!found.lsoa || !found.domains || found.imdDecile === null) continue;
      const lsoas = lsoasBySector.get(sector) ?? lsoasBySector.set(sector, new Map()).get(sector)!;
      if (!lsoas.has(found.lsoa)) lsoas.set(found.lsoa, { domains: found.domains, imd: found.imdDecile });
    }
    for (const sector of wanted) {
      const lsoas = [...(lsoasBySector.get(sector)?.values() ?? [])];
      const domains = averageDomains(lsoas.map((l) => l.domains));
      known.set(sector, domains ? { sector, neighbourhoods: lsoas.length, domains, imdDecile: lsoas.reduce((n, l) => n + l.imd, 0) / lsoas.length } : null);
    }
  }
  const out = new Map<string, SectorProfile>();
  for (const s of sectors) {
    const p = known.get(s);
    if (p) out.set(s, p);
  }
  return out;
}
