/**
 * Residents per postcode sector and local authority, worked out from the reference content
 * whenever it is built or updated (core/population.ts does the sharing out).
 *
 * Which postcodes count: every postcode with a 2011 LSOA that has a population, except those an
 * official ONS file says are terminated. The derived national file cannot tell terminated
 * postcodes from live ones, so where no official row says otherwise every postcode counts.
 */
import { apportionPopulation, summarisePopulation, type CountedPostcode } from '../../core/population.ts';
import { NO_LSOA, TERMINATED_FLAG, sectorFromKey, sectorKeyOf } from '../../core/postcode-index.ts';
import type { PopulationTable, ReferenceContent } from './reference-file.ts';

export const POPULATION_YEAR = 'mid-2020';
export const POPULATION_BASIS =
  "Each 2011 LSOA's mid-2020 residents (ONS estimates) are shared among the postcode sectors its postcodes lie in, in proportion to how many postcodes each holds. " +
  'Postcodes an official ONS file marks as terminated do not count; the derived national file cannot tell terminated postcodes from live ones, so elsewhere every postcode counts.';

export function populationTable(content: ReferenceContent): PopulationTable | null {
  if (content.lsoaPopulation.size === 0) return null;
  const { index, lsoaCodes } = content;
  const residents = new Float64Array(lsoaCodes.length);
  lsoaCodes.forEach((code, id) => (residents[id] = content.lsoaPopulation.get(code) ?? 0));
  const authorityCodes = [...content.authorities.keys()].sort();
  const authorityIndex = new Map(authorityCodes.map((code, i) => [code, i]));
  const authorityOfId = lsoaCodes.map((code) => {
    const authority = content.lsoaAuthority.get(code);
    return authority === undefined ? -1 : (authorityIndex.get(authority) ?? -1);
  });

  function* counted(): IterableIterator<CountedPostcode> {
    for (let i = 0; i < index.size; i++) {
      const lsoa = index.lsoa11[i]!;
      if (lsoa === NO_LSOA || residents[lsoa] === 0 || index.flags[i]! & TERMINATED_FLAG) continue;
      const lsoa21 = index.lsoa21[i]!;
      const authority = lsoa21 !== NO_LSOA && authorityOfId[lsoa21]! >= 0 ? authorityOfId[lsoa21]! : authorityOfId[lsoa]!;
      yield { lsoa, sector: sectorKeyOf(index.keys[i]!), authority };
    }
  }
  const withPopulation = lsoaCodes.map((_, id) => id).filter((id) => residents[id]! > 0);
  const { cells, unplaced } = apportionPopulation(counted(), (id) => residents[id]!, withPopulation);
  const summary = summarisePopulation(cells);
  const sectors: PopulationTable['sectors'] = {};
  for (const key of [...summary.sectors.keys()].sort((a, b) => a - b)) {
    const byAuthority: Record<string, number> = {};
    for (const [authority, n] of summary.sectors.get(key)!) byAuthority[authority >= 0 ? authorityCodes[authority]! : ''] = n;
    sectors[sectorFromKey(key)] = byAuthority;
  }
  const authorities: PopulationTable['authorities'] = {};
  for (const [authority, n] of [...summary.authorities].sort((a, b) => a[0] - b[0])) authorities[authorityCodes[authority]!] = n;
  return { year: POPULATION_YEAR, basis: POPULATION_BASIS, sectors, authorities, unplaced: unplaced.reduce((n, u) => n + u.residents, 0) };
}
