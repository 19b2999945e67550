/**
 * Like-for-like windows over the area database: the published counts of the organisations whose
 * active bundles cover every month asked for, so an organisation joining or leaving part-way can
 * never look like a change in need. Used by events, the change scan and new services.
 * Suppressed contributions are left out and counted, never read as 0.
 */
import { monthFromIndex, monthIndex } from '../../core/bundle/period.ts';
import type { AreaDatabase } from './open.ts';

export type WindowTable = 'sector-month-category' | 'sector-quarter-issue';

export interface WindowCounts {
  organisations: string[];
  /** sector → key (category or issue) → period (month or quarter) → presentations (published only). */
  counts: Map<string, Map<string, Map<string, number>>>;
  suppressedCells: number;
}

export interface WindowQuery {
  table: WindowTable;
  /** The periods to read (months, or quarters for the issue table). */
  periods: readonly string[];
  /** Every month an organisation must cover to count (the months of those periods). */
  months: readonly string[];
  /** Only these sectors; null = all (the "unknown" sector is always left out). */
  sectors: readonly string[] | null;
  /** Only these categories / issues; null = all. */
  keys?: readonly string[] | null;
  /** Count only this organisation, however little it covers (a new service's own bundles). */
  organisation?: string;
}

function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

/** Each organisation's months covered by its active bundles. */
export function monthsCovered(area: AreaDatabase): Map<string, Set<string>> {
  const bundles = area.sqlite.prepare('SELECT organisation_id, from_month, to_month FROM imported_bundles WHERE superseded_by IS NULL').raw().all() as [
    string,
    string,
    string,
  ][];
  const covered = new Map<string, Set<string>>();
  for (const [org, from, to] of bundles) {
    const set = covered.get(org) ?? covered.set(org, new Set()).get(org)!;
    for (let i = monthIndex(from); i <= monthIndex(to); i++) set.add(monthFromIndex(i));
  }
  return covered;
}

/** The months with data in the combined cube, in order. */
export function dataMonths(area: AreaDatabase): string[] {
  return (area.sqlite.prepare(`SELECT DISTINCT k2 FROM combined_cells WHERE table_id = 'sector-month-category' ORDER BY k2`).raw().all() as [string][]).map(
    ([m]) => m,
  );
}

export function readWindow(area: AreaDatabase, q: WindowQuery): WindowCounts {
  const covered = monthsCovered(area);
  const organisations =
    q.organisation !== undefined
      ? covered.has(q.organisation)
        ? [q.organisation]
        : []
      : [...covered]
          .filter(([, set]) => q.months.every((m) => set.has(m)))
          .map(([org]) => org)
          .sort();
  const reporting = [...covered].filter(([, set]) => q.months.some((m) => set.has(m))).length;
  const counts: WindowCounts['counts'] = new Map();
  let suppressedCells = 0;
  if (organisations.length === 0 || q.periods.length === 0) return { organisations, counts, suppressedCells };
  const sectorFilter = q.sectors?.length ? `AND k1 IN (${placeholders(q.sectors.length)})` : '';
  const keyFilter = q.keys?.length ? `AND k3 IN (${placeholders(q.keys.length)})` : '';
  const args = [q.table, ...q.periods, ...(q.sectors ?? []), ...(q.keys ?? [])];
  let rows: [string, string, string, number, number][];
  if (q.organisation === undefined && organisations.length === reporting) {
    // Everyone reporting in the window reports throughout: the combined cube is exactly their sum.
    rows = area.sqlite
      .prepare(
        `SELECT k1, k3, k2, presentations, presentations_suppressed FROM combined_cells
         WHERE table_id = ? AND k2 IN (${placeholders(q.periods.length)}) AND k1 <> 'unknown' ${sectorFilter} ${keyFilter}`,
      )
      .raw()
      .all(...args) as typeof rows;
  } else {
    rows = area.sqlite
      .prepare(
        `SELECT k1, k3, k2, coalesce(presentations, 0), presentations_suppressed FROM bundle_cells c JOIN imported_bundles b ON b.id = c.bundle_id
         WHERE b.superseded_by IS NULL AND c.table_id = ? AND c.k2 IN (${placeholders(q.periods.length)}) AND k1 <> 'unknown' ${sectorFilter} ${keyFilter}
           AND b.organisation_id IN (${placeholders(organisations.length)})`,
      )
      .raw()
      .all(...args, ...organisations) as typeof rows;
  }
  for (const [sector, key, period, presentations, suppressed] of rows) {
    suppressedCells += suppressed;
    if (presentations === 0 && suppressed > 0) continue;
    const byKey = counts.get(sector) ?? counts.set(sector, new Map()).get(sector)!;
    const byPeriod = byKey.get(key) ?? byKey.set(key, new Map()).get(key)!;
    byPeriod.set(period, (byPeriod.get(period) ?? 0) + presentations);
  }
  return { organisations, counts, suppressedCells };
}

/** Sum over `sectors` (all when null) of one key's counts per period. */
export function sumOver(window: WindowCounts, sectors: readonly string[] | null, key: string, period: string): number {
  let n = 0;
  for (const [sector, byKey] of window.counts) {
    if (sectors && !sectors.includes(sector)) continue;
    n += byKey.get(key)?.get(period) ?? 0;
  }
  return n;
}

/** Every key with any count in the window. */
export function keysIn(window: WindowCounts): string[] {
  const keys = new Set<string>();
  for (const byKey of window.counts.values()) for (const k of byKey.keys()) keys.add(k);
  return [...keys].sort();
}

export function shiftMonths(months: readonly string[], by: number): string[] {
  return months.map((m) => monthFromIndex(monthIndex(m) + by));
}
