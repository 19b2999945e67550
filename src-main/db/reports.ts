/**
 * The report queries: one function per view, each a few parameterised SQL statements over the
 * case database that only count; core/reports.ts turns the counts into figures. Definitions of
 * every figure are in docs/reports.md; in short:
 * - a presentation is one client_issues row, dated by identified_on; people are distinct clients;
 * - the period filter keeps presentations identified from `from` to `to` inclusive;
 * - an issue's status "at the period's end" is its latest status event dated on or before `to`,
 *   so an issue resolved and later reopened counts as open if the reopening is in the period;
 * - days to resolve run from identified_on to the FIRST resolved event (a reopened issue keeps
 *   its first resolution);
 * - a referral made out is an issue with a "referred" status event dated in the period, counted
 *   once per issue, by the issue's recorded destination.
 */
import type { Statement } from 'better-sqlite3';
import {
  UNKNOWN_SECTOR,
  daysBefore,
  decileRows,
  firstDayOfMonth,
  lastDayOfMonth,
  weightedMedian,
  monthOf,
  monthsBetween,
  previousYearMonth,
  share,
  type CountPair,
  type DecileReport,
  type ImpactReport,
  type NeedReport,
  type ReferralReport,
  type ReportFilter,
  type SectorRow,
  type TrendReport,
  type WhereReport,
} from '../core/reports.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { SqliteDatabase } from './open.ts';

/** Categories for codes the taxonomy no longer lists (e.g. after a taxonomy update). */
export const UNCATEGORISED = 'uncategorised';

type Params = Record<string, string | number | null>;

const statementCache = new WeakMap<SqliteDatabase, Map<string, Statement>>();

/** Prepared once per database and SQL text; the SQL text comes only from the fixed fragments below. */
function prepare(sqlite: SqliteDatabase, text: string): Statement {
  let cache = statementCache.get(sqlite);
  if (!cache) statementCache.set(sqlite, (cache = new Map()));
  let statement = cache.get(text);
  if (!statement) cache.set(text, (statement = sqlite.prepare(text)));
  return statement;
}

/**
 * Category codes by issue-code prefix. The summary table keys categories by the code's first three
 * letters (a taxonomy rule, checked by tests/core/taxonomy.test.ts); refuse a taxonomy that breaks it
 * rather than count people wrongly.
 */
const prefixCache = new WeakMap<Taxonomy, { categoryOfPrefix: Map<string, string>; prefixOfCategory: Map<string, string> }>();
function categoryPrefixes(taxonomy: Taxonomy) {
  let found = prefixCache.get(taxonomy);
  if (!found) {
    const categoryOfPrefix = new Map<string, string>();
    const prefixOfCategory = new Map<string, string>();
    for (const issue of taxonomy.issues) {
      const prefix = issue.code.slice(0, 3);
      if ((categoryOfPrefix.get(prefix) ?? issue.category) !== issue.category || (prefixOfCategory.get(issue.category) ?? prefix) !== prefix) {
        throw new Error(
          `The taxonomy gives category ${issue.category} more than one code prefix, or prefix ${prefix} more than one category; reports need one prefix per category.`,
        );
      }
      categoryOfPrefix.set(prefix, issue.category);
      prefixOfCategory.set(issue.category, prefix);
    }
    prefixCache.set(taxonomy, (found = { categoryOfPrefix, prefixOfCategory }));
  }
  return found;
}

type Level = 'any' | 'category' | 'code';

/**
 * 1 for the presentation that is a client's first (at this level: any issue / same category /
 * same issue) on or after `since`, else 0: summing it counts distinct people in one pass.
 */
function firstSince(level: Level, remit: ReportFilter['remit'], since: string): string {
  const column = `f.prev_${remit === 'within' ? 'remit_' : ''}${level}_on`;
  // No previous presentation is NULL; '' sorts before every date and is cheaper than an OR per row.
  return `(coalesce(${column}, '') < ${since})`;
}

/** The level distinct people are counted at for a filter's totals: as narrow as the filter. */
function filterLevel(filter: ReportFilter): Level {
  return filter.issueCode !== null ? 'code' : filter.category !== null ? 'category' : 'any';
}

/**
 * The level for people per category: the category, or the issue when one is chosen (a client's
 * first presentation of that issue in the period may follow another issue of the same category).
 */
function categoryLevel(filter: ReportFilter): Level {
  return filter.issueCode !== null ? 'code' : 'category';
}

interface IssueScope {
  where: string;
  params: Params;
}

/**
 * The WHERE over report_issue_facts f for the presentations a filter keeps. `dates` chooses the
 * identified_on bounds ('period': from..to; 'untilEnd': up to `to` only; 'none': the caller's).
 */
function issueScope(
  filter: ReportFilter,
  taxonomy: Taxonomy,
  options: {
    dates: 'period' | 'untilEnd' | 'none';
    forceWithinRemit?: boolean;
    baseTables?: boolean;
    /** Test the category with f.category_key (in the sector index) rather than the code's prefix (in the code index). */
    categoryKeyColumn?: boolean;
    /** The summary table's alias: f (report_issue_facts), or r (report_referral_facts, same issue columns). */
    alias?: 'f' | 'r';
  },
): IssueScope {
  const alias = options.alias ?? 'f';
  // Column names in report_issue_facts f, or in client_issues ci joined to clients c. category_key
  // is the code's prefix, so either test gives the same rows; each suits a different index.
  const col = options.baseTables
    ? { date: 'ci.identified_on', code: 'ci.issue_code', prefix: 'substr(ci.issue_code, 1, 3)', remit: 'ci.within_remit', sector: 'c.postcode_sector' }
    : {
        date: `${alias}.identified_on`,
        code: `${alias}.issue_code`,
        prefix: options.categoryKeyColumn ? `${alias}.category_key` : `substr(${alias}.issue_code, 1, 3)`,
        remit: `${alias}.within_remit`,
        sector: `${alias}.sector`,
      };
  const clauses: string[] = [];
  const params: Params = { from: filter.from, to: filter.to };
  if (options.dates === 'period') clauses.push(`${col.date} BETWEEN @from AND @to`);
  if (options.dates === 'untilEnd') clauses.push(`${col.date} <= @to`);
  if (filter.issueCode !== null) {
    clauses.push(`${col.code} = @issueCode`);
    params.issueCode = filter.issueCode;
  }
  if (filter.category !== null) {
    clauses.push(`${col.prefix} = @categoryKey`);
    // An unknown category matches nothing rather than everything.
    params.categoryKey = categoryPrefixes(taxonomy).prefixOfCategory.get(filter.category) ?? '';
  }
  if (filter.remit === 'within' || options.forceWithinRemit) clauses.push(`${col.remit} = 1`);
  if (filter.sector === UNKNOWN_SECTOR) clauses.push(`${col.sector} IS NULL`);
  else if (filter.sector !== null) {
    clauses.push(`${col.sector} = @sector`);
    params.sector = filter.sector;
  }
  return { where: clauses.join(' AND ') || '1', params };
}

interface CountRow {
  people: number;
  presentations: number;
}

/**
 * The issue codes present in the summary, found by hopping through report_issue_facts_code_idx
 * (one seek per code, not a scan), so a query can read each code's date range in code order.
 */
const PRESENT_CODES = `WITH RECURSIVE present_codes(code) AS (
    SELECT MIN(issue_code) FROM report_issue_facts
    UNION ALL
    SELECT (SELECT MIN(o.issue_code) FROM report_issue_facts o WHERE o.issue_code > present_codes.code)
    FROM present_codes WHERE present_codes.code IS NOT NULL)`;

/**
 * FROM and WHERE reading a filter's presentations in issue-code order through
 * report_issue_facts_code_idx (covering: no table reads, no sort to group by code). Not for a
 * sector filter, which that index does not hold.
 */
function byCodeSource(filter: ReportFilter, where: string): { with: string; from: string; where: string } {
  const from = 'report_issue_facts f INDEXED BY report_issue_facts_code_idx';
  if (filter.issueCode !== null) return { with: '', from, where };
  // Only the category's codes are visited when one is chosen (where holds @categoryKey then).
  const codes = filter.category === null ? 'present_codes' : 'present_codes WHERE substr(code, 1, 3) = @categoryKey';
  return { with: PRESENT_CODES, from, where: `f.issue_code IN (SELECT code FROM ${codes}) AND ${where}` };
}

function categoryOfCode(taxonomy: Taxonomy, code: string): string {
  return categoryPrefixes(taxonomy).categoryOfPrefix.get(code.slice(0, 3)) ?? UNCATEGORISED;
}

function categoryName(taxonomy: Taxonomy, code: string): string {
  return taxonomy.categories.find((c) => c.code === code)?.name ?? 'Uncategorised';
}

const byPeopleThenName = (a: CountRow, b: CountRow, nameA: string, nameB: string) =>
  b.people - a.people || b.presentations - a.presentations || nameA.localeCompare(nameB);

// ---------------------------------------------------------------------------------------------
// Monthly summaries (report_month_counts, migration 0007): per calendar month and key, presentations
// grouped by the month of the client's previous presentation at a level. People in whole months
// A..B = presentations there whose previous one is before A, so a year is a few thousand rows.

/** The summary kind holding previous-presentation months at a level, keyed by issue code. */
const CODE_KIND: Record<Level, string> = { code: 'code', category: 'code~cat', any: 'code~any' };

/** 1 for within-remit presentations with their within-remit previous dates, 0 for all. */
const monthScope = (filter: ReportFilter) => (filter.remit === 'within' ? 1 : 0);

/**
 * The monthly summary answers a period exactly when it is whole calendar months (from the 1st to a
 * month's last day); other periods are counted from report_issue_facts, by day.
 */
function wholeMonths(filter: ReportFilter): boolean {
  return filter.from.endsWith('-01') && filter.to === lastDayOfMonth(monthOf(filter.to));
}

/** The summary's key for a sector filter: '' stands for clients without a sector. */
const sectorKey = (sector: string) => (sector === UNKNOWN_SECTOR ? '' : sector);

interface MonthCountRow extends CountRow {
  kind: string;
  key1: string;
  key2: string;
}

/** Presentations and people (first in the period) per kind and keys, over whole months from..to. */
function periodCounts(
  sqlite: SqliteDatabase,
  filter: ReportFilter,
  kinds: readonly string[],
  keys: { key1?: string; key2?: string; key1Prefix?: string },
  /**
   * 'grouped': read through report_month_counts_group_idx, rows arriving in key order (no sort to
   * group, but every month of the kind is visited): for kinds with many keys, i.e. sector × category.
   * 'byMonth': the primary key, only the period's months, then a sort (few keys).
   */
  order: 'byMonth' | 'grouped' = 'byMonth',
): MonthCountRow[] {
  const clauses = [`kind IN (${kinds.map((_, i) => `@kind${i}`).join(', ')})`, 'scope = @scope', 'month BETWEEN @fromMonth AND @toMonth'];
  const params: Params = { scope: monthScope(filter), fromMonth: monthOf(filter.from), toMonth: monthOf(filter.to) };
  kinds.forEach((k, i) => (params[`kind${i}`] = k));
  if (keys.key1 !== undefined) {
    clauses.push('key1 = @key1');
    params.key1 = keys.key1;
  }
  if (keys.key1Prefix !== undefined) {
    clauses.push('substr(key1, 1, 3) = @key1Prefix');
    params.key1Prefix = keys.key1Prefix;
  }
  if (keys.key2 !== undefined) {
    clauses.push('key2 = @key2');
    params.key2 = keys.key2;
  }
  const rows = prepare(
    sqlite,
    `SELECT kind, key1, key2, SUM(n) AS presentations, SUM(CASE WHEN prev_month < @fromMonth THEN n ELSE 0 END) AS people
     FROM report_month_counts ${order === 'grouped' ? 'INDEXED BY report_month_counts_group_idx' : ''}
     WHERE ${clauses.join(' AND ')} GROUP BY kind, key1, key2`,
  ).all(params) as MonthCountRow[];
  // Keys whose presentations were all deleted or moved keep a zero row.
  return rows.filter((r) => r.presentations > 0);
}

/** The category key (code prefix) for a category filter; '' (matching nothing) for an unknown category. */
function categoryKeyOf(taxonomy: Taxonomy, category: string): string {
  return categoryPrefixes(taxonomy).prefixOfCategory.get(category) ?? '';
}

// ---------------------------------------------------------------------------------------------
// (a) top issues and (b) issues by category

type NeedIssueRow = CountRow & { code: string; categoryPeople: number; totalPeople: number };

/** Per issue code: presentations and people at the issue, category and filter levels, from the monthly summary. */
function needByIssueFromMonths(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): NeedIssueRow[] {
  const kinds = { issue: CODE_KIND.code, category: CODE_KIND[categoryLevel(filter)], total: CODE_KIND[filterLevel(filter)] };
  const keys =
    filter.issueCode !== null ? { key1: filter.issueCode } : filter.category !== null ? { key1Prefix: categoryKeyOf(taxonomy, filter.category) } : {};
  const byCode = new Map<string, NeedIssueRow>();
  const rows = periodCounts(sqlite, filter, [...new Set(Object.values(kinds))], keys);
  for (const r of rows) {
    const row = byCode.get(r.key1) ?? { code: r.key1, presentations: r.presentations, people: 0, categoryPeople: 0, totalPeople: 0 };
    if (r.kind === kinds.issue) row.people = r.people;
    if (r.kind === kinds.category) row.categoryPeople = r.people;
    if (r.kind === kinds.total) row.totalPeople = r.people;
    byCode.set(r.key1, row);
  }
  return [...byCode.values()];
}

/** The same from report_issue_facts, by day: any period, and a sector filter. */
function needByIssueFromFacts(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): NeedIssueRow[] {
  const scope = issueScope(filter, taxonomy, { dates: 'period' });
  // One pass: per issue, its presentations and the first-in-period flags at each level.
  // Without a sector filter, rows come in code order from the code index; with one, the sector's
  // few rows are read through the sector index and sorted.
  const source = filter.sector === null ? byCodeSource(filter, scope.where) : { with: '', from: 'report_issue_facts f', where: scope.where };
  return prepare(
    sqlite,
    `${source.with}
     SELECT f.issue_code AS code, COUNT(*) AS presentations,
            SUM(${firstSince('code', filter.remit, '@from')}) AS people,
            SUM(${firstSince(categoryLevel(filter), filter.remit, '@from')}) AS categoryPeople,
            SUM(${firstSince(filterLevel(filter), filter.remit, '@from')}) AS totalPeople
     FROM ${source.from} WHERE ${source.where} GROUP BY f.issue_code`,
  ).all(scope.params) as NeedIssueRow[];
}

export function needReport(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): NeedReport {
  const issues = new Map(taxonomy.issues.map((i) => [i.code, i]));
  const byIssue =
    filter.sector === null && wholeMonths(filter) ? needByIssueFromMonths(sqlite, taxonomy, filter) : needByIssueFromFacts(sqlite, taxonomy, filter);
  const totals: CountPair = { people: 0, presentations: 0 };
  const categories = new Map<string, CountPair>();
  for (const r of byIssue) {
    totals.people += r.totalPeople;
    totals.presentations += r.presentations;
    const category = categoryOfCode(taxonomy, r.code);
    const sum = categories.get(category) ?? { people: 0, presentations: 0 };
    sum.people += r.categoryPeople;
    sum.presentations += r.presentations;
    categories.set(category, sum);
  }
  return {
    filter,
    totals,
    topIssues: byIssue
      .map((r) => ({
        issueCode: r.code,
        issueName: issues.get(r.code)?.name ?? r.code,
        category: categoryOfCode(taxonomy, r.code),
        people: r.people,
        presentations: r.presentations,
      }))
      .sort((a, b) => byPeopleThenName(a, b, a.issueName, b.issueName)),
    categories: [...categories]
      .map(([category, c]) => ({ category, categoryName: categoryName(taxonomy, category), ...c }))
      .sort((a, b) => byPeopleThenName(a, b, a.categoryName, b.categoryName)),
  };
}

// ---------------------------------------------------------------------------------------------
// (c) month-by-month trend with the previous year alongside

/**
 * Whole calendar months from month(from) to month(to); each month's presentations and people,
 * and the same for the month twelve before it.
 */
export function trendReport(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): TrendReport {
  const months = monthsBetween(monthOf(filter.from), monthOf(filter.to));
  const earliest = previousYearMonth(months[0]!);
  const byMonth =
    filter.sector === null || filter.issueCode === null
      ? trendFromMonths(sqlite, taxonomy, filter, earliest, months[months.length - 1]!)
      : trendFromFacts(sqlite, taxonomy, filter, earliest, months[months.length - 1]!);
  return {
    filter,
    points: months.map((month) => {
      const before = previousYearMonth(month);
      return {
        month,
        presentations: byMonth.get(month)?.presentations ?? 0,
        people: byMonth.get(month)?.people ?? 0,
        previousYearMonth: before,
        previousYearPresentations: byMonth.get(before)?.presentations ?? 0,
        previousYearPeople: byMonth.get(before)?.people ?? 0,
      };
    }),
  };
}

/**
 * Presentations and people (first in their month) per month, first..last, from the monthly summary:
 * by issue code without a sector filter, by sector (and category) with one.
 */
function trendFromMonths(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter, first: string, last: string): Map<string, CountRow> {
  const clauses = ['kind = @kind', 'scope = @scope', 'month BETWEEN @first AND @last'];
  const params: Params = { scope: monthScope(filter), first, last };
  if (filter.sector === null) {
    params.kind = CODE_KIND[filterLevel(filter)];
    if (filter.issueCode !== null) {
      clauses.push('key1 = @issueCode');
      params.issueCode = filter.issueCode;
    } else if (filter.category !== null) {
      clauses.push('substr(key1, 1, 3) = @categoryKey');
      params.categoryKey = categoryKeyOf(taxonomy, filter.category);
    }
  } else {
    clauses.push('key1 = @sector');
    params.sector = sectorKey(filter.sector);
    params.kind = filter.category === null ? 'sector~any' : 'sector~cat';
    if (filter.category !== null) {
      clauses.push('key2 = @categoryKey');
      params.categoryKey = categoryKeyOf(taxonomy, filter.category);
    }
  }
  const rows = prepare(
    sqlite,
    `SELECT month, SUM(n) AS presentations, SUM(CASE WHEN prev_month < month THEN n ELSE 0 END) AS people
     FROM report_month_counts WHERE ${clauses.join(' AND ')} GROUP BY month`,
  ).all(params) as (CountRow & { month: string })[];
  return new Map(rows.map((r) => [r.month, { people: r.people, presentations: r.presentations }]));
}

/** The same from report_issue_facts, by day (an issue within one sector, which the summary does not key). */
function trendFromFacts(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter, earliest: string, last: string): Map<string, CountRow> {
  const scope = issueScope(filter, taxonomy, { dates: 'none' });
  // A previous date before "YYYY-MM" is exactly one before the month's first day.
  const monthStart = `substr(f.identified_on, 1, 7)`;
  const where = `f.identified_on BETWEEN @trendStart AND @trendEnd AND ${scope.where}`;
  // Grouped by day in the order the rows arrive, so SQLite streams instead of sorting; months are
  // summed below. An issue or category comes from the code index (by code, then day); the rest
  // from the table itself, clustered by day.
  const source =
    filter.sector === null && (filter.issueCode !== null || filter.category !== null)
      ? { ...byCodeSource(filter, where), groupBy: 'f.issue_code, f.identified_on' }
      : { with: '', from: 'report_issue_facts f', where, groupBy: 'f.identified_on' };
  const rows = prepare(
    sqlite,
    `${source.with}
     SELECT f.identified_on AS day, COUNT(*) AS presentations,
            SUM(${firstSince(filterLevel(filter), filter.remit, monthStart)}) AS people
     FROM ${source.from} WHERE ${source.where}
     GROUP BY ${source.groupBy}`,
  ).all({
    ...scope.params,
    trendStart: firstDayOfMonth(earliest),
    trendEnd: lastDayOfMonth(last),
  }) as (CountRow & { day: string })[];
  const byMonth = new Map<string, CountRow>();
  for (const r of rows) {
    const sum = byMonth.get(monthOf(r.day)) ?? { people: 0, presentations: 0 };
    sum.people += r.people;
    sum.presentations += r.presentations;
    byMonth.set(monthOf(r.day), sum);
  }
  return byMonth;
}

// ---------------------------------------------------------------------------------------------
// (d) by postcode sector, sector × category

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

// ---------------------------------------------------------------------------------------------
// (e) by deprivation decile of the client's neighbourhood

export function decileReport(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): DecileReport {
  const counted =
    filter.category === null && filter.issueCode === null && filter.sector === null && wholeMonths(filter)
      ? periodCounts(sqlite, filter, ['decile~any'], {}).map((r) => ({
          decile: r.key1 === '' ? null : Number(r.key1),
          people: r.people,
          presentations: r.presentations,
        }))
      : decilesFromFacts(sqlite, taxonomy, filter);
  const { rows, knownPeople, mostDeprivedShare } = decileRows(counted);
  const totals = counted.reduce((t, r) => ({ people: t.people + r.people, presentations: t.presentations + r.presentations }), {
    people: 0,
    presentations: 0,
  });
  return { filter, totals, deciles: rows, knownPeople, mostDeprivedShare, expectedMostDeprivedShare: 0.2 };
}

/** People and presentations per decile from report_issue_facts, by day: any period, and every filter. */
function decilesFromFacts(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): (CountRow & { decile: number | null })[] {
  const scope = issueScope(filter, taxonomy, { dates: 'period' });
  const select = `SELECT f.imd_decile AS decile, COUNT(*) AS presentations,
            SUM(${firstSince(filterLevel(filter), filter.remit, '@from')}) AS people`;
  // Unfiltered (or by remit only), rows come by decile from the decile index, one seek per decile
  // and one for unknown; other filters narrow the rows enough for the general plan.
  const decileIndexCovers = filter.category === null && filter.issueCode === null && filter.sector === null;
  return prepare(
    sqlite,
    decileIndexCovers
      ? `${select} FROM report_issue_facts f INDEXED BY report_issue_facts_decile_idx
         WHERE f.imd_decile IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AND ${scope.where} GROUP BY 1
         UNION ALL
         ${select} FROM report_issue_facts f INDEXED BY report_issue_facts_decile_idx
         WHERE f.imd_decile IS NULL AND ${scope.where} GROUP BY 1`
      : `${select} FROM report_issue_facts f WHERE ${scope.where} GROUP BY 1`,
  ).all(scope.params) as (CountRow & { decile: number | null })[];
}

// ---------------------------------------------------------------------------------------------
// (f) impact for within-remit issues

/** The issue's status on @to, for an issue whose status changed after @to: the latest event by then. */
const STATUS_AT_END_FROM_EVENTS = `(SELECT e.status FROM issue_status_events e
    WHERE e.client_issue_id = f.issue_id AND e.changed_on <= @to
    ORDER BY e.changed_on DESC, e.id DESC LIMIT 1)`;

/** Sums over rows (identified_on, status at the end) of issues not open at the end, or improved. */
const SETTLED_SUMS = `COALESCE(SUM(status IN ('resolved', 'closed_unresolved')), 0) AS settled,
            COALESCE(SUM(status IN ('resolved', 'closed_unresolved') AND identified_on <= @olderThan), 0) AS settledOld,
            COALESCE(SUM(identified_on >= @from AND status = 'resolved'), 0) AS resolved,
            COALESCE(SUM(identified_on >= @from AND status = 'improved'), 0) AS improved,
            COALESCE(SUM(identified_on >= @from AND status = 'closed_unresolved'), 0) AS closedUnresolved`;

interface SettledCounts {
  settled: number;
  settledOld: number;
  resolved: number;
  improved: number;
  closedUnresolved: number;
}

interface IdentifiedCounts {
  untilEnd: number;
  cohort: number;
  untilOlderThan: number;
}

/**
 * Within-remit issues identified by the end, in the period, and by the "older than" cut-off. From the
 * monthly summary for whole-month periods (the cut-off's own month counted from the facts); from bare
 * ranges of the impact index otherwise, and for an issue within one sector (not a summary key).
 */
function identifiedCounts(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter, scope: IssueScope, olderThan: string): IdentifiedCounts {
  const countFacts = (extra: string) => `(SELECT COUNT(*) FROM report_issue_facts f INDEXED BY report_issue_facts_impact_idx WHERE ${scope.where}${extra})`;
  const params = { ...scope.params, olderThan, olderThanMonthStart: firstDayOfMonth(monthOf(olderThan)) };
  if (!wholeMonths(filter) || (filter.sector !== null && filter.issueCode !== null)) {
    return prepare(
      sqlite,
      `SELECT ${countFacts('')} AS untilEnd, ${countFacts(' AND f.identified_on >= @from')} AS cohort,
              ${countFacts(' AND f.identified_on <= @olderThan')} AS untilOlderThan`,
    ).get(params) as IdentifiedCounts;
  }
  const clauses = ['kind = @kind', 'scope = 1', 'month <= @toMonth'];
  const monthParams: Params = {
    toMonth: monthOf(filter.to),
    fromMonth: monthOf(filter.from),
    olderThanMonth: monthOf(olderThan),
    kind: filter.sector === null ? 'code' : filter.category === null ? 'sector~any' : 'sector~cat',
  };
  if (filter.sector !== null) {
    clauses.push('key1 = @sector');
    monthParams.sector = sectorKey(filter.sector);
    if (filter.category !== null) {
      clauses.push('key2 = @categoryKey');
      monthParams.categoryKey = categoryKeyOf(taxonomy, filter.category);
    }
  } else if (filter.issueCode !== null) {
    clauses.push('key1 = @issueCode');
    monthParams.issueCode = filter.issueCode;
  } else if (filter.category !== null) {
    clauses.push('substr(key1, 1, 3) = @categoryKey');
    monthParams.categoryKey = categoryKeyOf(taxonomy, filter.category);
  }
  const months = prepare(
    sqlite,
    `SELECT COALESCE(SUM(n), 0) AS untilEnd, COALESCE(SUM(CASE WHEN month >= @fromMonth THEN n END), 0) AS cohort,
            COALESCE(SUM(CASE WHEN month < @olderThanMonth THEN n END), 0) AS beforeOlderThanMonth
     FROM report_month_counts WHERE ${clauses.join(' AND ')}`,
  ).get(monthParams) as { untilEnd: number; cohort: number; beforeOlderThanMonth: number };
  const olderThanMonth = prepare(sqlite, `SELECT ${countFacts(' AND f.identified_on BETWEEN @olderThanMonthStart AND @olderThan')}`)
    .pluck()
    .get(params) as number;
  return { untilEnd: months.untilEnd, cohort: months.cohort, untilOlderThan: months.beforeOlderThanMonth + olderThanMonth };
}

export function impactReport(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter, openOlderThanDays: number): ImpactReport {
  const scope = issueScope(filter, taxonomy, { dates: 'untilEnd', forceWithinRemit: true });
  const olderThan = daysBefore(filter.to, openOlderThanDays);
  const params = { ...scope.params, olderThan };
  // Open at the end = identified by the end − settled (resolved or closed unresolved) by the end, so
  // only settled issues are read, and those by bare index ranges.
  const identified = identifiedCounts(sqlite, taxonomy, filter, scope, olderThan);
  // Status at the end: the current one when it was reached by then (the settled partial index, by
  // status), else the latest event by then (issues changed after the end: few for a recent end).
  const settledWith = (status: string, extra: string) =>
    `(SELECT COUNT(*) FROM report_issue_facts f INDEXED BY report_issue_facts_settled_status_idx
      WHERE ${scope.where} AND f.status = '${status}' AND f.status IN ('resolved', 'closed_unresolved', 'improved')
        AND f.status_changed_on <= @to${extra})`;
  const current = prepare(
    sqlite,
    `SELECT ${settledWith('resolved', '')} + ${settledWith('closed_unresolved', '')} AS settled,
            ${settledWith('resolved', ' AND f.identified_on <= @olderThan')} + ${settledWith('closed_unresolved', ' AND f.identified_on <= @olderThan')} AS settledOld,
            ${settledWith('resolved', ' AND f.identified_on >= @from')} AS resolved,
            ${settledWith('improved', ' AND f.identified_on >= @from')} AS improved,
            ${settledWith('closed_unresolved', ' AND f.identified_on >= @from')} AS closedUnresolved`,
  ).get(params) as SettledCounts;
  const changedLater = prepare(
    sqlite,
    `SELECT ${SETTLED_SUMS} FROM (
       SELECT f.identified_on, ${STATUS_AT_END_FROM_EVENTS} AS status
       FROM report_issue_facts f INDEXED BY report_issue_facts_changed_idx
       WHERE ${scope.where} AND f.status_changed_on > @to LIMIT -1)`,
  ).get(params) as SettledCounts;
  const settled = (key: keyof SettledCounts) => current[key] + changedLater[key];
  const counts = {
    cohort: identified.cohort,
    resolved: settled('resolved'),
    improved: settled('improved'),
    closedUnresolved: settled('closedUnresolved'),
    openAtEnd: identified.untilEnd - settled('settled'),
    openOlderThan: identified.untilOlderThan - settled('settledOld'),
  };
  // Days to resolve as a histogram: grouped by the two dates (in index order, no sort), so the date
  // arithmetic runs once per pair of dates rather than once per issue.
  const days = prepare(
    sqlite,
    `SELECT CAST(julianday(f.first_resolved_on) - julianday(f.identified_on) AS INTEGER) AS value, COUNT(*) AS count
     FROM report_issue_facts f INDEXED BY report_issue_facts_resolved_idx
     WHERE ${scope.where} AND f.identified_on >= @from AND f.first_resolved_on <= @to
     GROUP BY f.identified_on, f.first_resolved_on`,
  ).all(params) as { value: number; count: number }[];
  return {
    filter,
    ...counts,
    resolvedShare: share(counts.resolved, counts.cohort),
    improvedShare: share(counts.improved, counts.cohort),
    improvedOrResolvedShare: share(counts.resolved + counts.improved, counts.cohort),
    resolvedWithDays: days.reduce((sum, d) => sum + d.count, 0),
    medianDaysToResolve: weightedMedian(days),
    openOlderThanDays,
  };
}

// ---------------------------------------------------------------------------------------------
// (g) referrals made out, by destination

export const UNRECORDED_DESTINATION = 'Destination not recorded';

/**
 * The destinations present in the referrals summary, found by hopping through its destination index
 * (one seek each), so the counts below read each destination's date range in destination order.
 */
const PRESENT_DESTINATIONS = `WITH RECURSIVE destinations(d) AS (
    SELECT MIN(destination) FROM report_referral_facts
    UNION ALL
    SELECT (SELECT MIN(o.destination) FROM report_referral_facts o WHERE o.destination > destinations.d)
    FROM destinations WHERE destinations.d IS NOT NULL)`;

export function referralReport(sqlite: SqliteDatabase, taxonomy: Taxonomy, filter: ReportFilter): ReferralReport {
  // report_referral_facts (migration 0008): one row per referred event, by destination through a
  // covering index. A row counts the referral when it is its issue's first referred event in the
  // period, and a person when it is the client's first referral in the period (to that destination,
  // or at all) among issues the filter keeps.
  const scope = issueScope(filter, taxonomy, { dates: 'none', alias: 'r' });
  const where = `r.referred_on BETWEEN @from AND @to AND ${scope.where}`;
  const level = filterLevel(filter);
  const remit = filter.remit === 'within' ? 'remit_' : '';
  const first = (column: string) => `(coalesce(r.${column}, '') < @from)`;
  const select = `SELECT r.destination AS destination, SUM(${first('prev_issue_on')}) AS referrals,
            SUM(${first(`prev_dest_${remit}${level}_on`)}) AS people, SUM(${first(`prev_${remit}${level}_on`)}) AS totalPeople
     FROM report_referral_facts r INDEXED BY report_referral_facts_destination_idx`;
  const rows = prepare(
    sqlite,
    `${PRESENT_DESTINATIONS}
     ${select} WHERE r.destination IN (SELECT d FROM destinations) AND ${where} GROUP BY r.destination
     UNION ALL
     ${select} WHERE r.destination IS NULL AND ${where} GROUP BY r.destination`,
  ).all(scope.params) as { destination: string | null; referrals: number; people: number; totalPeople: number }[];
  const destinations = rows
    .filter((r) => r.referrals > 0)
    .map((r) => ({ destination: r.destination ?? UNRECORDED_DESTINATION, referrals: r.referrals, people: r.people }));
  return {
    filter,
    total: destinations.reduce((sum, d) => sum + d.referrals, 0),
    people: rows.reduce((sum, r) => sum + r.totalPeople, 0),
    destinations: destinations.sort((a, b) => b.referrals - a.referrals || a.destination.localeCompare(b.destination)),
  };
}

// ---------------------------------------------------------------------------------------------
// Filter choices

export function filterOptions(sqlite: SqliteDatabase): {
  sectors: string[];
  hasUnknownSector: boolean;
  firstMonth: string | null;
  lastMonth: string | null;
} {
  const sectors = prepare(sqlite, 'SELECT DISTINCT postcode_sector FROM clients WHERE postcode_sector IS NOT NULL ORDER BY 1').pluck().all() as string[];
  const unknown = prepare(sqlite, 'SELECT EXISTS (SELECT 1 FROM clients WHERE postcode_sector IS NULL)').pluck().get() as number;
  const range = prepare(sqlite, 'SELECT MIN(identified_on) AS first, MAX(identified_on) AS last FROM client_issues').get() as {
    first: string | null;
    last: string | null;
  };
  return {
    sectors,
    hasUnknownSector: unknown === 1,
    firstMonth: range.first === null ? null : monthOf(range.first),
    lastMonth: range.last === null ? null : monthOf(range.last),
  };
}
