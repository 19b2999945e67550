/** The organisation's "area of deprivation" threshold (IMD decile at or below it), kept in settings. */
import { eq } from 'drizzle-orm';
import { DEFAULT_DEPRIVATION_THRESHOLD, checkThreshold } from '../core/deprivation.ts';
import type { CaseDb } from './open.ts';
import { settings } from './schema.ts';

const KEY = 'geo.deprivationThreshold';

export function readDeprivationThreshold(db: CaseDb): number {
  const row = db.select().from(settings).where(eq(settings.key, KEY)).get();
  const value = row ? Number(JSON.parse(row.value)) : DEFAULT_DEPRIVATION_THRESHOLD;
  return Number.isInteger(value) && value >= 1 && value <= 10 ? value : DEFAULT_DEPRIVATION_THRESHOLD;
}

export function writeDeprivationThreshold(db: CaseDb, threshold: number): void {
  const value = JSON.stringify(checkThreshold(threshold));
  db.insert(settings).values({ key: KEY, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
}
