/**
 * The area dashboard's queries over the combined cube (active bundles only), distinct people
 * from match keys, local need against the national indices, events and before/after comparison.
 * Suppressed contributions are always carried as counts beside the sums, never folded into 0.
 */
import { monthFromIndex, monthIndex } from '../../core/bundle/period.ts';
import { compareRates, scanChanges, verdict, type RateComparison, type ScannedChange } from '../../core/area/change.ts';
import type { DistinctPeople } from '../../core/area/distinct.ts';
import { needAgainstIndices, type Disagreement, type SectorNeed } from '../../core/area/profile.ts';
import { RecordError } from '../../core/errors.ts';
import type { ReferenceData } from '../geo/reference.ts';
import { storedDistinctPeople } from './distinct-summary.ts';
import type { AreaDatabase } from './open.ts';
import { sectorProfiles } from './sector-profile.ts';
import { isoSeconds } from '../../core/timestamps.ts';

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

// ---- windows of months with the same organisations throughout ----

interface WindowCounts {
  organisations: string[];
  /** sector → category → month → presentations (published only). */
  counts: Map<string, Map<string, Map<string, number>>>;
  suppressedCells: number;
}

/** Organisations whose active bundles cover every one of `months`, and their sector × category × month counts. */
function countsOverWindow(area: AreaDatabase, months: readonly string[], sectors: readonly string[] | null): WindowCounts {
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
  const organisations = [...covered]
    .filter(([, set]) => months.every((m) => set.has(m)))
    .map(([org]) => org)
    .sort();
  const reporting = [...covered].filter(([, set]) => months.some((m) => set.has(m))).length;
  const counts: WindowCounts['counts'] = new Map();
  let suppressedCells = 0;
  if (organisations.length === 0 || months.length === 0) return { organisations, counts, suppressedCells };
  let rows: [string, string, string, number, number][];
  if (organisations.length === reporting) {
    // Everyone reporting in the window reports throughout: the combined cube is exactly their sum (and indexed by month).
    const sectorFilter = sectors?.length ? `AND k1 IN (${placeholders(sectors.length)})` : '';
    rows = area.sqlite
      .prepare(
        `SELECT k1, k3, k2, presentations, presentations_suppressed FROM combined_cells
         WHERE table_id = 'sector-month-category' AND k2 IN (${placeholders(months.length)}) ${sectorFilter}`,
      )
      .raw()
      .all(...months, ...(sectors ?? [])) as typeof rows;
  } else {
    const sectorFilter = sectors?.length ? `AND c.k1 IN (${placeholders(sectors.length)})` : '';
    rows = area.sqlite
      .prepare(
        `SELECT c.k1, c.k3, c.k2, coalesce(c.presentations, 0), c.presentations_suppressed FROM bundle_cells c JOIN imported_bundles b ON b.id = c.bundle_id
         WHERE b.superseded_by IS NULL AND c.table_id = 'sector-month-category'
           AND b.organisation_id IN (${placeholders(organisations.length)}) AND c.k2 IN (${placeholders(months.length)}) ${sectorFilter}`,
      )
      .raw()
      .all(...organisations, ...months, ...(sectors ?? [])) as typeof rows;
  }
  for (const [sector, category, month, presentations, suppressed] of rows) {
    // Suppressed contributions are left out of the comparison and counted, never read as 0.
    suppressedCells += suppressed;
    if (presentations === 0 && suppressed > 0) continue;
    const byCategory = counts.get(sector) ?? counts.set(sector, new Map()).get(sector)!;
    const byMonth = byCategory.get(category) ?? byCategory.set(category, new Map()).get(category)!;
    byMonth.set(month, (byMonth.get(month) ?? 0) + presentations);
  }
  return { organisations, counts, suppressedCells };
}

/** The months with data in the combined cube, in order. */
export function dataMonths(area: AreaDatabase): string[] {
  return (area.sqlite.prepare(`SELECT DISTINCT k2 FROM combined_cells WHERE table_id = 'sector-month-category' ORDER BY k2`).raw().all() as [string][]).map(
    ([m]) => m,
  );
}

/** The largest changes between the last `window` months with data and the `window` before. */
export function recentChanges(area: AreaDatabase, options: { window?: number; minTotal?: number; limit?: number } = {}): ScannedChange[] {
  const window = options.window ?? 3;
  const all = dataMonths(area);
  if (all.length === 0) return [];
  const last = monthIndex(all[all.length - 1]!);
  const months = Array.from({ length: 2 * window }, (_, i) => monthFromIndex(last - 2 * window + 1 + i));
  const { counts } = countsOverWindow(area, months, null);
  const series = [...counts].flatMap(([sector, byCategory]) =>
    [...byCategory].map(([category, byMonth]) => ({ sector, category, points: [...byMonth].map(([month, count]) => ({ month, count })) })),
  );
  return scanChanges(series, months, { window, ...options });
}

// ---- events ----

export interface AreaEvent {
  id: number;
  date: string;
  title: string;
  sectors: string[] | null;
}

export function addEvent(area: AreaDatabase, event: { date: string; title: string; sectors: string[] | null }, now = new Date()): AreaEvent {
  const id = Number(
    area.sqlite
      .prepare('INSERT INTO area_events (date, title, sectors, created_at) VALUES (?, ?, ?, ?)')
      .run(event.date, event.title, event.sectors?.length ? JSON.stringify(event.sectors) : null, isoSeconds(now)).lastInsertRowid,
  );
  return { id, date: event.date, title: event.title, sectors: event.sectors?.length ? event.sectors : null };
}

export function listEvents(area: AreaDatabase): AreaEvent[] {
  return (
    area.sqlite.prepare('SELECT id, date, title, sectors FROM area_events ORDER BY date, id').all() as {
      id: number;
      date: string;
      title: string;
      sectors: string | null;
    }[]
  ).map((e) => ({ ...e, sectors: e.sectors ? (JSON.parse(e.sectors) as string[]) : null }));
}

export function deleteEvent(area: AreaDatabase, id: number): void {
  const changes = area.sqlite.prepare('DELETE FROM area_events WHERE id = ?').run(id).changes;
  if (changes === 0) throw new RecordError('not_found', `There is no event ${id}.`);
}

export interface EventComparison extends RateComparison {
  category: string;
  verdict: string;
}

export interface EventReport {
  event: AreaEvent;
  monthsBefore: string[];
  monthsAfter: string[];
  organisations: string[];
  suppressedCells: number;
  comparisons: EventComparison[];
  /** Why nothing could be compared, when so. */
  note: string | null;
}

/**
 * Issue-category presentations in the `months` whole months before the event's month against
 * the `months` after it (the event's own month, partly before and partly after, is left out),
 * in the event's sectors (or the whole area), counting only organisations that reported for
 * every one of those months — so a new organisation joining cannot look like a rise.
 */
export function compareAroundEvent(
  area: AreaDatabase,
  eventId: number,
  options: { months?: number; categoryLabels?: Readonly<Record<string, string>>; category?: string } = {},
): EventReport {
  const event = listEvents(area).find((e) => e.id === eventId);
  if (!event) throw new RecordError('not_found', `There is no event ${eventId}.`);
  const n = options.months ?? 3;
  const eventMonth = monthIndex(event.date.slice(0, 7));
  const available = new Set(dataMonths(area));
  const monthsBefore = Array.from({ length: n }, (_, i) => monthFromIndex(eventMonth - n + i));
  const monthsAfter = Array.from({ length: n }, (_, i) => monthFromIndex(eventMonth + 1 + i)).filter((m) => available.has(m));
  const base = { event, monthsBefore, monthsAfter, organisations: [] as string[], suppressedCells: 0, comparisons: [] as EventComparison[] };
  if (monthsAfter.length === 0) return { ...base, note: `There is no data yet for the months after ${event.date.slice(0, 7)}.` };
  const window = countsOverWindow(area, [...monthsBefore, ...monthsAfter], event.sectors);
  if (window.organisations.length === 0) {
    return { ...base, note: 'No organisation reported for every month before and after the event, so there is nothing like-for-like to compare.' };
  }
  const before = new Set(monthsBefore);
  const totals = new Map<string, { before: number; after: number }>();
  for (const byCategory of window.counts.values()) {
    for (const [category, byMonth] of byCategory) {
      const t = totals.get(category) ?? totals.set(category, { before: 0, after: 0 }).get(category)!;
      for (const [month, count] of byMonth) {
        if (before.has(month)) t.before += count;
        else t.after += count;
      }
    }
  }
  const where = event.sectors?.join(', ') ?? 'the whole area';
  const comparisons = [...totals]
    .filter(([category]) => options.category === undefined || category === options.category)
    .map(([category, t]) => {
      const comparison = compareRates(t.before, t.after, monthsBefore.length, monthsAfter.length);
      const label = options.categoryLabels?.[category] ?? category;
      return { category, ...comparison, verdict: verdict(label, where, comparison) };
    })
    .sort((a, b) => a.pValue - b.pValue);
  return { ...base, organisations: window.organisations, suppressedCells: window.suppressedCells, comparisons, note: null };
}

// ---- local need against national indices ----

/** Sectors' recorded need per category (published sums over all months) against their IoD domain profiles. */
export function localNeedAgainstIndices(
  area: AreaDatabase,
  reference: ReferenceData,
  options: { minPresentations?: number; limit?: number; labels?: Readonly<Record<string, string>> } = {},
): Disagreement[] {
  const rows = area.sqlite
    .prepare(
      `SELECT k1, k3, SUM(presentations) FROM combined_cells
       WHERE table_id = 'sector-month-category' AND k1 <> 'unknown' GROUP BY k1, k3`,
    )
    .raw()
    .all() as [string, string, number][];
  const bySector = new Map<string, SectorNeed & { byCategory: Record<string, number> }>();
  for (const [sector, category, presentations] of rows) {
    const s = bySector.get(sector) ?? bySector.set(sector, { sector, byCategory: {}, total: 0 }).get(sector)!;
    s.byCategory[category] = presentations;
    s.total += presentations;
  }
  const profiles = new Map([...sectorProfiles(reference, bySector.keys())].map(([s, p]) => [s, p.domains]));
  return needAgainstIndices([...bySector.values()], profiles, options).slice(0, options.limit ?? 20);
}
