/** How the screens write dates and other values for people to read. */

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "3 Nov 2026" for "2026-11-03". */
export function formatDate(iso: string): string {
  return dateFormat.format(new Date(iso + 'T00:00:00Z'));
}
