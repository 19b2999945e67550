/**
 * Recorded need against national assumptions (core/area/national.ts): each sector's presentations
 * per category over every month imported, per 1,000 residents a year, against what its deprivation
 * would predict from the rates across the whole area, as ratios with intervals.
 */
import { monthlyDispersion, needAgainstAssumptions, type NeedAgainstAssumption, type SectorProfileForRates } from '../../core/area/national.ts';
import type { DomainDeciles } from '../../core/deprivation.ts';
import type { AreaDatabase } from './open.ts';
import { dataMonths } from './windows.ts';

/** Residents per postcode sector (ONS mid-year estimates, shipped with the postcode reference data). */
export interface SectorPopulation {
  /** "mid-2020". */
  year: string;
  residents(sector: string): number | null;
}

/** A sector's deprivation profile (averaged over its neighbourhoods). */
export type SectorDeprivation = (sectors: readonly string[]) => ReadonlyMap<string, { imdDecile: number; domains: Readonly<DomainDeciles> }>;

export interface AssumptionsReport {
  months: string[];
  populationYear: string;
  /** Within-sector overdispersion of monthly counts (allowed for in the intervals) and its degrees of freedom. */
  dispersion: number;
  dispersionDf: number;
  /** Sectors with need recorded but no residents or no deprivation profile, so left out. */
  leftOut: string[];
  /** The local authorities the comparison was limited to ("our area"); null = every sector with data. */
  limitedTo: string[] | null;
  rows: NeedAgainstAssumption[];
}

export function needAgainstNationalAssumptions(
  area: AreaDatabase,
  population: SectorPopulation,
  deprivation: SectorDeprivation,
  options: {
    labels?: Readonly<Record<string, string>>;
    limit?: number;
    minResidents?: number;
    /** Only these sectors (our area), named by its local authorities. */
    within?: { sectors: ReadonlySet<string>; names: string[] };
  } = {},
): AssumptionsReport {
  const months = dataMonths(area);
  const rows = area.sqlite
    .prepare(`SELECT k1, k3, k2, presentations FROM combined_cells WHERE table_id = 'sector-month-category' AND k1 <> 'unknown'`)
    .raw()
    .all() as [string, string, string, number][];
  const observed = new Map<string, Map<string, number>>();
  const monthly = new Map<string, Map<string, number>>();
  for (const [sector, category, month, presentations] of rows) {
    if (options.within && !options.within.sectors.has(sector)) continue;
    const byCategory = observed.get(sector) ?? observed.set(sector, new Map()).get(sector)!;
    byCategory.set(category, (byCategory.get(category) ?? 0) + presentations);
    const series = monthly.get(`${sector}|${category}`) ?? monthly.set(`${sector}|${category}`, new Map()).get(`${sector}|${category}`)!;
    series.set(month, (series.get(month) ?? 0) + presentations);
  }
  const { dispersion, df } = monthlyDispersion([...monthly.values()].map((byMonth) => months.map((m) => byMonth.get(m) ?? 0)));
  // With our area chosen, every one of its sectors counts, those with nothing recorded as 0; otherwise the sectors with data.
  const sectors = options.within ? [...options.within.sectors].sort() : [...observed.keys()].sort();
  const profiles = deprivation(sectors);
  const usable: SectorProfileForRates[] = [];
  const leftOut: string[] = [];
  for (const sector of sectors) {
    const residents = population.residents(sector);
    const profile = profiles.get(sector);
    if (residents === null || residents <= 0 || !profile) leftOut.push(sector);
    else usable.push({ sector, residents, imdDecile: profile.imdDecile, domains: profile.domains });
  }
  const all = needAgainstAssumptions(observed, usable, {
    months: months.length,
    dispersion,
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.minResidents ? { minResidents: options.minResidents } : {}),
  });
  return {
    months,
    populationYear: population.year,
    dispersion,
    dispersionDf: df,
    leftOut,
    limitedTo: options.within?.names ?? null,
    rows: all.slice(0, options.limit ?? 20),
  };
}

/** What the postcode reference data offers for residents per sector (reference data format 2). */
interface ResidentsSource {
  sectorResidents(sector: string): { residents: number } | null;
  population(): { year: string } | null;
}

/**
 * Residents per sector from the loaded postcode reference data, or null when it carries none
 * (reference data before format 2, or a user's own import without the population table).
 */
export function populationFromReference(reference: unknown): SectorPopulation | null {
  const source = reference as Partial<ResidentsSource> | null;
  if (!source || typeof source.sectorResidents !== 'function' || typeof source.population !== 'function') return null;
  const table = source.population();
  if (!table) return null;
  return { year: table.year, residents: (sector) => source.sectorResidents!(sector)?.residents ?? null };
}
