/**
 * What erased details become, and the retention cut-off. Pure. What erasure removes and keeps is
 * read from the classing of each column (db/schema.ts, db/protect/personal-data.ts).
 */

export const ERASED_FIRST_NAME = 'Erased';
export const ERASED_LAST_NAME = 'client';

/** What an erased client's referral destinations become: free text that can name a person. */
export const ERASED_DESTINATION = 'Destination erased';

/** What a former staff account's display name becomes once nothing identifiable refers to it. */
export const FORMER_STAFF_NAME = 'Former staff member';

export const DEFAULT_RETENTION_YEARS = 6;

/** The date (YYYY-MM-DD) before which a last contact makes a client due for anonymisation. */
export function retentionCutoff(today: string, years: number): string {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  // 29 February falls back to 28 February in a non-leap year.
  const date = new Date(Date.UTC(y - years, m - 1, d));
  if (date.getUTCMonth() !== m - 1) date.setUTCDate(0);
  return date.toISOString().slice(0, 10);
}
