/**
 * Reading report_issue_facts (src-main/db/sql/report_issue_facts.sql), the per-presentation summary
 * that answers any period to the day and every filter: the WHERE for a filter's presentations, the
 * test for "first presentation since a date", and the walk through the issue-code index.
 */
import { UNKNOWN_SECTOR, type ReportFilter } from '../../core/reports.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import { categoryPrefixes, type Level, type Params } from './query.ts';

/**
 * 1 for the presentation that is a client's first (at this level: any issue / same category /
 * same issue) on or after `since`, else 0: summing it counts distinct people in one pass.
 */
export function firstSince(level: Level, remit: ReportFilter['remit'], since: string): string {
  const column = `f.prev_${remit === 'within' ? 'remit_' : ''}${level}_on`;
  // No previous presentation is NULL; '' sorts before every date and is cheaper than an OR per row.
  return `(coalesce(${column}, '') < ${since})`;
}

export interface IssueScope {
  where: string;
  params: Params;
}

/**
 * The WHERE over report_issue_facts f for the presentations a filter keeps. `dates` chooses the
 * identified_on bounds ('period': from..to; 'untilEnd': up to `to` only; 'none': the caller's).
 */
export function issueScope(
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

/**
 * The issue codes present in the summary, found by hopping through report_issue_facts_code_idx
 * (one seek per code, not a scan), so a query can read each code's date range in code order.
 */
export const PRESENT_CODES = `WITH RECURSIVE present_codes(code) AS (
    SELECT MIN(issue_code) FROM report_issue_facts
    UNION ALL
    SELECT (SELECT MIN(o.issue_code) FROM report_issue_facts o WHERE o.issue_code > present_codes.code)
    FROM present_codes WHERE present_codes.code IS NOT NULL)`;

/**
 * FROM and WHERE reading a filter's presentations in issue-code order through
 * report_issue_facts_code_idx (covering: no table reads, no sort to group by code). Not for a
 * sector filter, which that index does not hold.
 */
export function byCodeSource(filter: ReportFilter, where: string): { with: string; from: string; where: string } {
  const from = 'report_issue_facts f INDEXED BY report_issue_facts_code_idx';
  if (filter.issueCode !== null) return { with: '', from, where };
  // Only the category's codes are visited when one is chosen (where holds @categoryKey then).
  const codes = filter.category === null ? 'present_codes' : 'present_codes WHERE substr(code, 1, 3) = @categoryKey';
  return { with: PRESENT_CODES, from, where: `f.issue_code IN (SELECT code FROM ${codes}) AND ${where}` };
}
