/**
 * Referrals made out in the period, by destination: from report_referral_facts
 * (src-main/db/sql/report_referral_facts.sql), one route for every period and filter.
 */
import type { ReferralReport, ReportFilter } from '../../core/reports.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { SqliteDatabase } from '../open.ts';
import { issueScope } from './issue-facts.ts';
import { filterLevel, prepare } from './query.ts';

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
