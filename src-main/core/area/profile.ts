/** A postcode sector's Indices of Deprivation profile from its neighbourhoods (used by db/area/sector-profile.ts). */
import type { DomainDeciles, DomainName } from '../deprivation.ts';

/** Average of domain deciles over a sector's neighbourhoods. */
export function averageDomains(neighbourhoods: readonly Readonly<DomainDeciles>[]): DomainDeciles | null {
  if (neighbourhoods.length === 0) return null;
  const sum = {} as DomainDeciles;
  for (const n of neighbourhoods) for (const [k, v] of Object.entries(n) as [DomainName, number][]) sum[k] = (sum[k] ?? 0) + v;
  for (const k of Object.keys(sum) as DomainName[]) sum[k] = sum[k] / neighbourhoods.length;
  return sum;
}
