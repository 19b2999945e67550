/** What erasure and retention remove and keep, and the retention cut-off. Pure. */

export const ERASED_FIRST_NAME = 'Erased';
export const ERASED_LAST_NAME = 'client';

/** Removed for good: everything that identifies the person. */
export const ERASED_FIELDS = [
  'first and last name',
  'date of birth',
  'full postcode',
  'neighbourhood (2011 and 2021 LSOA) and its deprivation rank',
  'phone',
  'email',
  'external ID (NHS number or other)',
  'contact notes',
  'status change notes',
] as const;

/** Kept: the anonymous facts past reports and bundles already counted. */
export const KEPT_FIELDS = [
  'postcode sector and district',
  'local authority',
  'deprivation decile',
  'contact dates (months) and kinds',
  'issue codes, remit, referrals and statuses with their dates',
  'the record key used for cell-key perturbation',
] as const;

export const DEFAULT_RETENTION_YEARS = 6;

/** The date (YYYY-MM-DD) before which a last contact makes a client due for anonymisation. */
export function retentionCutoff(today: string, years: number): string {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  // 29 February falls back to 28 February in a non-leap year.
  const date = new Date(Date.UTC(y - years, m - 1, d));
  if (date.getUTCMonth() !== m - 1) date.setUTCDate(0);
  return date.toISOString().slice(0, 10);
}
