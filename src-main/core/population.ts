/**
 * People per postcode sector: ONS publishes resident population per neighbourhood (2011 LSOA),
 * not per postcode sector, so each LSOA's population is shared out among the sectors (and local
 * authorities) its postcodes lie in, in proportion to how many of its postcodes each holds.
 * Whole people: the largest-remainder method, so every LSOA's shares add back to its total.
 */

/** One postcode that counts towards the sharing out (see the caller for which do). */
export interface CountedPostcode {
  /** The LSOA id whose population is shared out. */
  lsoa: number;
  /** One number per sector (core/postcode-index.ts sectorKeyOf). */
  sector: number;
  /** Local authority index, or -1 when unknown. */
  authority: number;
}

export interface PopulationCell {
  lsoa: number;
  sector: number;
  authority: number;
  residents: number;
}

export interface ApportionedPopulation {
  cells: PopulationCell[];
  /** LSOAs with residents but no counted postcode: their people are in no sector. */
  unplaced: { lsoa: number; residents: number }[];
}

/**
 * Shares out `populationOf(lsoa)` over the (sector, authority) cells of each LSOA's postcodes.
 * Deterministic: ties in the remainders go to the lower sector, then the lower authority.
 */
export function apportionPopulation(
  postcodes: Iterable<CountedPostcode>,
  populationOf: (lsoa: number) => number,
  lsoasWithPopulation: Iterable<number>,
): ApportionedPopulation {
  // lsoa → sector → authority → postcodes
  const counts = new Map<number, Map<number, Map<number, number>>>();
  for (const p of postcodes) {
    let bySector = counts.get(p.lsoa);
    if (!bySector) counts.set(p.lsoa, (bySector = new Map()));
    let byAuthority = bySector.get(p.sector);
    if (!byAuthority) bySector.set(p.sector, (byAuthority = new Map()));
    byAuthority.set(p.authority, (byAuthority.get(p.authority) ?? 0) + 1);
  }
  const cells: PopulationCell[] = [];
  for (const [lsoa, bySector] of counts) {
    const total = populationOf(lsoa);
    if (total <= 0) continue;
    const parts: { sector: number; authority: number; count: number }[] = [];
    for (const [sector, byAuthority] of bySector) for (const [authority, count] of byAuthority) parts.push({ sector, authority, count });
    parts.sort((a, b) => a.sector - b.sector || a.authority - b.authority);
    cells.push(...shareOut(total, parts).map((p) => ({ lsoa, sector: p.sector, authority: p.authority, residents: p.residents })));
  }
  const unplaced: ApportionedPopulation['unplaced'] = [];
  for (const lsoa of lsoasWithPopulation) {
    const residents = populationOf(lsoa);
    if (residents > 0 && !counts.has(lsoa)) unplaced.push({ lsoa, residents });
  }
  return { cells, unplaced };
}

/** Whole shares of `total` in proportion to `count`, adding up to exactly `total`. */
export function shareOut<T extends { count: number }>(total: number, parts: readonly T[]): (T & { residents: number })[] {
  const weight = parts.reduce((n, p) => n + p.count, 0);
  if (weight === 0) return parts.map((p) => ({ ...p, residents: 0 }));
  const shares = parts.map((p, i) => {
    const exact = (total * p.count) / weight;
    return { i, residents: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = total - shares.reduce((n, s) => n + s.residents, 0);
  const byRemainder = [...shares].sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % byRemainder.length, left--) byRemainder[k]!.residents++;
  return parts.map((p, i) => ({ ...p, residents: shares[i]!.residents }));
}

/** Residents per sector (with their split by authority) and per authority, from the cells. */
export function summarisePopulation(cells: readonly PopulationCell[]): {
  sectors: Map<number, Map<number, number>>;
  authorities: Map<number, number>;
} {
  const sectors = new Map<number, Map<number, number>>();
  const authorities = new Map<number, number>();
  for (const c of cells) {
    if (c.residents === 0) continue;
    let byAuthority = sectors.get(c.sector);
    if (!byAuthority) sectors.set(c.sector, (byAuthority = new Map()));
    byAuthority.set(c.authority, (byAuthority.get(c.authority) ?? 0) + c.residents);
    if (c.authority >= 0) authorities.set(c.authority, (authorities.get(c.authority) ?? 0) + c.residents);
  }
  return { sectors, authorities };
}

/** Per 1,000 residents, to one decimal place; null when the population is unknown or zero. */
export function per1000(count: number, residents: number | null | undefined): number | null {
  if (!residents) return null;
  return Math.round((count * 10_000) / residents) / 10;
}
