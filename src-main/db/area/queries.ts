/**
 * The area dashboard's queries over the combined cube (active bundles only), distinct people
 * from match keys (events, the change scan, services and national assumptions have their own
 * files: events.ts, change-scan.ts, services.ts, national.ts).
 * Suppressed contributions are always carried as counts beside the sums, never folded into 0.
 */
import type { DistinctPeople } from '../../core/area/distinct.ts';
import { storedDistinctPeople } from './distinct-summary.ts';
import type { AreaDatabase } from './open.ts';

export interface CountWithSuppression {
  presentations: number;
  /** How many organisation-cells were suppressed at source within this sum (0 = complete). */
  suppressed: number;
}

export interface SectorMonthNeed extends CountWithSuppression {
  sector: string;
  month: string;
  people: number;
}

function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

/** Presentations and people (summed over categories and organisations) per sector × month. */
export function needBySectorMonth(area: AreaDatabase, sectors?: readonly string[]): SectorMonthNeed[] {
  const filter = sectors?.length ? `AND k1 IN (${placeholders(sectors.length)})` : '';
  return area.sqlite
    .prepare(
      `SELECT k1 AS sector, k2 AS month, SUM(presentations) AS presentations, SUM(people) AS people,
              SUM(presentations_suppressed) AS suppressed
       FROM combined_cells WHERE table_id = 'sector-month-category' ${filter}
       GROUP BY k1, k2 ORDER BY k1, k2`,
    )
    .all(...(sectors ?? [])) as SectorMonthNeed[];
}

export interface TopIssue extends CountWithSuppression {
  sector: string;
  issue: string;
  rank: number;
}

/** The `limit` issues with most presentations in each sector (over all quarters imported). */
export function topIssuesPerSector(area: AreaDatabase, limit = 5, sectors?: readonly string[]): TopIssue[] {
  const filter = sectors?.length ? `AND k1 IN (${placeholders(sectors.length)})` : '';
  return area.sqlite
    .prepare(
      `SELECT sector, issue, presentations, suppressed, rank FROM (
         SELECT k1 AS sector, k3 AS issue, SUM(presentations) AS presentations, SUM(presentations_suppressed) AS suppressed,
                ROW_NUMBER() OVER (PARTITION BY k1 ORDER BY SUM(presentations) DESC, k3) AS rank
         FROM combined_cells WHERE table_id = 'sector-quarter-issue' ${filter} GROUP BY k1, k3)
       WHERE rank <= ? ORDER BY sector, rank`,
    )
    .all(...(sectors ?? []), limit) as TopIssue[];
}

export interface TrendPoint extends CountWithSuppression {
  month: string;
}

/** One issue's presentations per month over the whole area (districts summed). */
export function issueTrend(area: AreaDatabase, issue: string): TrendPoint[] {
  return area.sqlite
    .prepare(
      `SELECT k2 AS month, SUM(presentations) AS presentations, SUM(presentations_suppressed) AS suppressed
       FROM combined_cells WHERE table_id = 'district-month-issue' AND k3 = ? GROUP BY k2 ORDER BY k2`,
    )
    .all(issue) as TrendPoint[];
}

export interface SectorCoverage {
  sector: string;
  organisations: number;
}

/** How many organisations report on each sector (few = little is known there). */
export function coverageBySector(area: AreaDatabase): SectorCoverage[] {
  return area.sqlite
    .prepare(
      `SELECT s.sector AS sector, COUNT(DISTINCT b.organisation_id) AS organisations
       FROM bundle_sectors s JOIN imported_bundles b ON b.id = s.bundle_id
       WHERE b.superseded_by IS NULL GROUP BY s.sector ORDER BY organisations, s.sector`,
    )
    .all() as SectorCoverage[];
}

export interface DecileNeed extends CountWithSuppression {
  /**
   * The Indices of Deprivation edition the band comes from ("iod2019", "iod2025"); "unstated" for
   * bands of retired needmap-bundle/1 bundles, which did not say; null for band "unknown".
   */
  edition: string | null;
  /** "1-2" … "9-10", or "unknown". */
  decileBand: string;
  category: string;
  people: number;
}

export const UNSTATED_EDITION = 'unstated';

/** "iod2025:1-2" → its edition and band; a bare "1-2" (a retired bundle) has its edition unstated. */
export function splitDecileBand(value: string): { edition: string | null; decileBand: string } {
  const at = value.indexOf(':');
  if (at > 0) return { edition: value.slice(0, at), decileBand: value.slice(at + 1) };
  return value === 'unknown' ? { edition: null, decileBand: value } : { edition: UNSTATED_EDITION, decileBand: value };
}

/**
 * Need by the deprivation decile band of where people live (whole area, all months). Bands of
 * different editions are different rankings of neighbourhoods: they are kept apart here (each row
 * carries its edition) and never added together.
 */
export function needByDecile(area: AreaDatabase): DecileNeed[] {
  const rows = area.sqlite
    .prepare(
      `SELECT k2 AS band, k3 AS category, SUM(presentations) AS presentations, SUM(people) AS people,
              SUM(presentations_suppressed) AS suppressed
       FROM combined_cells WHERE table_id = 'area-month-decile-category' GROUP BY k2, k3 ORDER BY k2, k3`,
    )
    .all() as { band: string; category: string; presentations: number; people: number; suppressed: number }[];
  return rows.map(({ band, ...rest }) => ({ ...splitDecileBand(band), ...rest }));
}

/** Distinct people per district × quarter from the match keys of opted-in organisations' active bundles (stored at import; see distinct-summary.ts). */
export function distinctPeopleAcrossOrganisations(area: AreaDatabase): DistinctPeople[] {
  return storedDistinctPeople(area);
}

/** Presentations per issue over every month imported (districts summed; people cannot be summed across cells). */
export function presentationsByIssue(area: AreaDatabase): { issueCode: string; presentations: number; people: null }[] {
  return (
    area.sqlite.prepare(`SELECT k3, SUM(presentations) FROM combined_cells WHERE table_id = 'district-month-issue' GROUP BY k3`).raw().all() as [
      string,
      number,
    ][]
  ).map(([issueCode, presentations]) => ({ issueCode, presentations, people: null }));
}
