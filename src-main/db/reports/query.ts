/**
 * What every report query shares: prepared statements, the taxonomy's category prefixes, the levels
 * people are counted at. The queries themselves are one module per view beside this one (need,
 * trend, where, deciles, impact, referrals, filter options); each reads the summary tables whose
 * current definitions are in src-main/db/sql/ and only counts, and core/reports.ts turns the counts
 * into figures. Definitions of every figure are in docs/reports.md; in short:
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
import type { ReportFilter } from '../../core/reports.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { SqliteDatabase } from '../open.ts';

/** Categories for codes the taxonomy no longer lists (e.g. after a taxonomy update). */
export const UNCATEGORISED = 'uncategorised';

export type Params = Record<string, string | number | null>;

const statementCache = new WeakMap<SqliteDatabase, Map<string, Statement>>();

/** Prepared once per database and SQL text; the SQL text comes only from fixed fragments in these modules, never from input. */
export function prepare(sqlite: SqliteDatabase, text: string): Statement {
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
export function categoryPrefixes(taxonomy: Taxonomy) {
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

/** Where a client's previous presentation is looked for: any issue, the same category, the same issue. */
export type Level = 'any' | 'category' | 'code';

/** The level distinct people are counted at for a filter's totals: as narrow as the filter. */
export function filterLevel(filter: ReportFilter): Level {
  return filter.issueCode !== null ? 'code' : filter.category !== null ? 'category' : 'any';
}

/**
 * The level for people per category: the category, or the issue when one is chosen (a client's
 * first presentation of that issue in the period may follow another issue of the same category).
 */
export function categoryLevel(filter: ReportFilter): Level {
  return filter.issueCode !== null ? 'code' : 'category';
}

export interface CountRow {
  people: number;
  presentations: number;
}

export function categoryOfCode(taxonomy: Taxonomy, code: string): string {
  return categoryPrefixes(taxonomy).categoryOfPrefix.get(code.slice(0, 3)) ?? UNCATEGORISED;
}

export function categoryName(taxonomy: Taxonomy, code: string): string {
  return taxonomy.categories.find((c) => c.code === code)?.name ?? 'Uncategorised';
}

export const byPeopleThenName = (a: CountRow, b: CountRow, nameA: string, nameB: string) =>
  b.people - a.people || b.presentations - a.presentations || nameA.localeCompare(nameB);

/** The category key (code prefix) for a category filter; '' (matching nothing) for an unknown category. */
export function categoryKeyOf(taxonomy: Taxonomy, category: string): string {
  return categoryPrefixes(taxonomy).prefixOfCategory.get(category) ?? '';
}
