/** Timestamps as NeedMap stores and ships them. */

/** ISO 8601 to the second, UTC: "2026-11-03T10:15:00Z" (the bundle's createdAt, the area database's dates). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
