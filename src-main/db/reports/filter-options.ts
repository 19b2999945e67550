/** What the report filters can offer: the sectors seen, whether some clients have none, and the months with data. */
import { monthOf } from '../../core/reports.ts';
import type { SqliteDatabase } from '../open.ts';
import { prepare } from './query.ts';

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
