/**
 * Where: people and presentations by postcode sector, and sector × category. Whole-month periods
 * without an issue filter come from report_month_counts (sector × category, and sector); any other
 * period, and one issue, from report_issue_facts by day (the monthly summary has no sector × issue key).
 */
import { UNKNOWN_SECTOR, type CountPair, type ReportFilter, type SectorRow, type WhereReport } from '../../core/reports.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { SqliteDatabase } from '../open.ts';
import { firstSince, issueScope } from './issue-facts.ts';
import { periodCounts, sectorKey, wholeMonths } from './month-counts.ts';
import { UNCATEGORISED, categoryKeyOf, categoryLevel, categoryPrefixes, filterLevel, prepare, type CountRow } from './query.ts';

interface WhereCell extends CountRow {
  /** null for clients without a sector. */
  sector: string | null;
  prefix: string;
}

export function whereReport(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): WhereReport {
  const { cells, sectorPeople } =
    filter.issueCode === null && wholeMonths(filter) ? whereFromMonths(sqlite, taxonomy, filter) : whereFromFacts(sqlite, taxonomy, filter);
  const { categoryOfPrefix } = categoryPrefixes(taxonomy);
  const totals: CountPair = { people: 0, presentations: 0 };
  const rows = new Map<string | null, SectorRow>();
  const rowFor = (sector: string | null): SectorRow => {
    let row = rows.get(sector);
    if (!row) {
      row = { sector: sector ?? UNKNOWN_SECTOR, known: sector !== null, people: sectorPeople.get(sector) ?? 0, presentations: 0, byCategory: {} };
      totals.people += row.people;
      rows.set(sector, row);
    }
    return row;
  };
  const used = new Set<string>();
  for (const c of cells) {
    const row = rowFor(c.sector);
    row.presentations += c.presentations;
    totals.presentations += c.presentations;
    const category = categoryOfPrefix.get(c.prefix) ?? UNCATEGORISED;
    used.add(category);
    const cell = (row.byCategory[category] ??= { people: 0, presentations: 0 });
    cell.people += c.people;
    cell.presentations += c.presentations;
  }
  const unknown = rowFor(null);
  const known = [...rows.values()]
    .filter((r) => r.known)
    .sort((a, b) => b.people - a.people || b.presentations - a.presentations || a.sector.localeCompare(b.sector));
  const categories = taxonomy.categories.filter((c) => used.has(c.code)).map((c) => ({ code: c.code, name: c.name }));
  if (used.has(UNCATEGORISED)) categories.push({ code: UNCATEGORISED, name: 'Uncategorised' });
  return { filter, totals, sectors: [...known, unknown], categories };
}

/**
 * Sector × category cells and people per sector from the monthly summary. A client lives in one
 * sector, so a sector's people are its clients first in the period at the filter's level.
 */
function whereFromMonths(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): { cells: WhereCell[]; sectorPeople: Map<string | null, number> } {
  const keys = {
    ...(filter.sector === null ? {} : { key1: sectorKey(filter.sector) }),
    ...(filter.category === null ? {} : { key2: categoryKeyOf(taxonomy, filter.category) }),
  };
  const cells = periodCounts(sqlite, filter, ['sector~cat'], keys, 'grouped').map((r) => ({
    sector: r.key1 === '' ? null : r.key1,
    prefix: r.key2,
    presentations: r.presentations,
    people: r.people,
  }));
  // With a category chosen, a sector's people are its one cell's; otherwise people at any issue.
  const sectorPeople = new Map<string | null, number>();
  if (filter.category !== null) for (const c of cells) sectorPeople.set(c.sector, c.people);
  else for (const r of periodCounts(sqlite, filter, ['sector~any'], { key1: keys.key1 }, 'grouped')) sectorPeople.set(r.key1 === '' ? null : r.key1, r.people);
  return { cells, sectorPeople };
}

/** The same from report_issue_facts, by day: any period, and an issue filter. */
function whereFromFacts(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): { cells: WhereCell[]; sectorPeople: Map<string | null, number> } {
  const scope = issueScope(filter, taxonomy, { dates: 'period', categoryKeyColumn: true });
  // A client lives in one sector, so each sector's people are the sum of its clients' first presentations.
  // Rows in sector × category order from the sector index, which covers every filter but an issue
  // (one issue's rows are few enough for the general plan and a sort).
  const rows = prepare(
    sqlite,
    `SELECT f.sector AS sector, f.category_key AS prefix, COUNT(*) AS presentations,
            SUM(${firstSince(categoryLevel(filter), filter.remit, '@from')}) AS people,
            SUM(${firstSince(filterLevel(filter), filter.remit, '@from')}) AS totalPeople
     FROM report_issue_facts f ${filter.issueCode === null ? 'INDEXED BY report_issue_facts_sector_idx' : ''}
     WHERE ${scope.where} GROUP BY 1, 2`,
  ).all(scope.params) as (CountRow & { sector: string | null; prefix: string; totalPeople: number })[];
  const sectorPeople = new Map<string | null, number>();
  for (const r of rows) sectorPeople.set(r.sector, (sectorPeople.get(r.sector) ?? 0) + r.totalPeople);
  return { cells: rows, sectorPeople };
}
