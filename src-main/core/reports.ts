/**
 * Reports on local need and impact: the filter every view takes, period helpers, the small
 * statistics (median, shares, the even split by decile) and the shapes of each view's figures.
 * Pure: the queries live in db/reports/ (one module per view). Every figure is defined in docs/reports.md.
 */

/** Which issues a report counts: `within` keeps only issues recorded as within the organisation's remit. */
export type RemitFilter = 'all' | 'within';

/**
 * The sector filter value and the row label for clients without a postcode sector. No real
 * sector can take this form (sectors look like "PR1 2").
 */
export const UNKNOWN_SECTOR = 'unknown';

export interface ReportFilter {
  /** First and last day of the period, ISO YYYY-MM-DD, both inclusive. */
  from: string;
  to: string;
  /** A taxonomy category code, or null for every category. */
  category: string | null;
  /** A taxonomy issue code, or null for every issue. */
  issueCode: string | null;
  remit: RemitFilter;
  /** A postcode sector ("PR1 2"), UNKNOWN_SECTOR for clients without one, or null for everywhere. */
  sector: string | null;
}

// ---------------------------------------------------------------------------------------------
// Periods

const DAY_MS = 86_400_000;

/** "YYYY-MM" of an ISO date. */
export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/** The month `n` months after `month` (n may be negative). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

/** The same month a year earlier: what a trend's "previous year" line shows beside `month`. */
export function previousYearMonth(month: string): string {
  return addMonths(month, -12);
}

/** Every month from `first` to `last`, inclusive, in order; empty when first > last. */
export function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let m = first; m <= last; m = addMonths(m, 1)) out.push(m);
  return out;
}

export function firstDayOfMonth(month: string): string {
  return `${month}-01`;
}

export function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1) - DAY_MS).toISOString().slice(0, 10);
}

/** The ISO date `days` days before `date`. */
export function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(date + 'T00:00:00Z') - days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (ISO dates). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / DAY_MS);
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** The median (mean of the two middle values for an even count), or null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of values given as (value, how many times) pairs, as median() of the expanded list. */
export function weightedMedian(counts: readonly { value: number; count: number }[]): number | null {
  const sorted = counts.filter((c) => c.count > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((sum, c) => sum + c.count, 0);
  if (total === 0) return null;
  /** The value at 0-based position `index` of the expanded sorted list. */
  const at = (index: number) => {
    let seen = 0;
    for (const c of sorted) {
      seen += c.count;
      if (index < seen) return c.value;
    }
    throw new Error('position beyond the list');
  };
  const mid = total >> 1;
  return total % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** part / whole, or null when there is nothing to divide (an empty period shows "–", not 0%). */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

export const DECILES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;

/** Each decile holds a tenth of England's neighbourhoods: the share a service drawing evenly would see. */
export const EXPECTED_DECILE_SHARE = 1 / DECILES.length;

/** The "most deprived 20%": deciles 1 and 2 of the Indices of Deprivation. */
export const MOST_DEPRIVED_DECILES: readonly number[] = [1, 2];

// ---------------------------------------------------------------------------------------------
// Result shapes

export interface CountPair {
  /** Distinct clients. */
  people: number;
  /** Client-issue records ("presentations"). */
  presentations: number;
}

export interface TopIssueRow extends CountPair {
  issueCode: string;
  issueName: string;
  category: string;
}

export interface CategoryRow extends CountPair {
  category: string;
  categoryName: string;
}

export interface NeedReport {
  filter: ReportFilter;
  totals: CountPair;
  topIssues: TopIssueRow[];
  categories: CategoryRow[];
}

export interface TrendPoint {
  month: string;
  presentations: number;
  people: number;
  previousYearMonth: string;
  previousYearPresentations: number;
  previousYearPeople: number;
}

export interface TrendReport {
  filter: ReportFilter;
  points: TrendPoint[];
}

export interface SectorRow extends CountPair {
  /** The sector, or UNKNOWN_SECTOR. */
  sector: string;
  known: boolean;
  /** Category code → counts, only for categories with at least one presentation. */
  byCategory: Record<string, CountPair>;
}

export interface WhereReport {
  filter: ReportFilter;
  totals: CountPair;
  /** Known sectors by people (most first), then the unknown row last, always present. */
  sectors: SectorRow[];
  categories: { code: string; name: string }[];
}

export interface DecileRow extends CountPair {
  /** 1 (most deprived) … 10, or null for unknown. */
  decile: number | null;
  /** Share of the people with a known decile; null for the unknown row or when none is known. */
  share: number | null;
  /** The even split: 0.1 for each decile; null for the unknown row. */
  expectedShare: number | null;
}

export interface DecileReport {
  filter: ReportFilter;
  totals: CountPair;
  /** Deciles 1…10, then unknown. */
  deciles: DecileRow[];
  knownPeople: number;
  /** Share of people with a known decile who live in deciles 1–2; null when none is known. */
  mostDeprivedShare: number | null;
  expectedMostDeprivedShare: number;
}

export interface ImpactReport {
  filter: ReportFilter;
  /** Within-remit issues identified in the period (the cohort). */
  cohort: number;
  resolved: number;
  improved: number;
  closedUnresolved: number;
  resolvedShare: number | null;
  improvedShare: number | null;
  improvedOrResolvedShare: number | null;
  /** Cohort issues first resolved on or before the period's end. */
  resolvedWithDays: number;
  medianDaysToResolve: number | null;
  openOlderThanDays: number;
  /** Within-remit issues identified by the period's end and still open then. */
  openAtEnd: number;
  openOlderThan: number;
}

export interface ReferralRow {
  destination: string;
  referrals: number;
  people: number;
}

export interface ReferralReport {
  filter: ReportFilter;
  total: number;
  people: number;
  destinations: ReferralRow[];
}

// ---------------------------------------------------------------------------------------------
// Assembling figures from counted rows (shared by the queries; the SQL only counts)

/** Deciles 1–10 then unknown, with shares of the known and the even split beside each. */
export function decileRows(counted: readonly (CountPair & { decile: number | null })[]): {
  rows: DecileRow[];
  knownPeople: number;
  mostDeprivedShare: number | null;
} {
  const byDecile = new Map(counted.map((r) => [r.decile, r]));
  const knownPeople = DECILES.reduce((sum, d) => sum + (byDecile.get(d)?.people ?? 0), 0);
  const rows: DecileRow[] = DECILES.map((decile) => {
    const people = byDecile.get(decile)?.people ?? 0;
    return {
      decile,
      people,
      presentations: byDecile.get(decile)?.presentations ?? 0,
      share: share(people, knownPeople),
      expectedShare: EXPECTED_DECILE_SHARE,
    };
  });
  const unknown = byDecile.get(null);
  rows.push({
    decile: null,
    people: unknown?.people ?? 0,
    presentations: unknown?.presentations ?? 0,
    share: null,
    expectedShare: null,
  });
  const deprivedPeople = MOST_DEPRIVED_DECILES.reduce((sum, d) => sum + (byDecile.get(d)?.people ?? 0), 0);
  return { rows, knownPeople, mostDeprivedShare: share(deprivedPeople, knownPeople) };
}
