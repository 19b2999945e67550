/**
 * The organisation's geography settings, kept in settings: the "area of deprivation" threshold
 * (IMD decile at or below it) and which edition of the Indices of Deprivation deciles come from.
 */
import { eq } from 'drizzle-orm';
import { DEFAULT_DEPRIVATION_THRESHOLD, DEFAULT_IOD_EDITION, checkThreshold, isIodEdition, type IodEdition } from '../../core/deprivation.ts';
import type { CaseDb } from '../open.ts';
import { settings } from '../schema.ts';

const THRESHOLD_KEY = 'geo.deprivationThreshold';
const EDITION_KEY = 'geo.iodEdition';

/** A JSON setting's value; undefined when unset or unreadable. */
export function readSetting(db: CaseDb, key: string): unknown {
  const row = db.select().from(settings).where(eq(settings.key, key)).get();
  if (!row) return undefined;
  try {
    return JSON.parse(row.value) as unknown;
  } catch {
    return undefined;
  }
}

export function writeSetting(db: CaseDb, key: string, value: unknown): void {
  const text = JSON.stringify(value);
  db.insert(settings)
    .values({ key, value: text })
    .onConflictDoUpdate({ target: settings.key, set: { value: text } })
    .run();
}

export function readDeprivationThreshold(db: CaseDb): number {
  const value = Number(readSetting(db, THRESHOLD_KEY) ?? DEFAULT_DEPRIVATION_THRESHOLD);
  return Number.isInteger(value) && value >= 1 && value <= 10 ? value : DEFAULT_DEPRIVATION_THRESHOLD;
}

export function writeDeprivationThreshold(db: CaseDb, threshold: number): void {
  writeSetting(db, THRESHOLD_KEY, checkThreshold(threshold));
}

/** IoD2025 unless the organisation chose IoD2019 (for continuity with past reports). */
export function readIodEdition(db: CaseDb): IodEdition {
  const value = readSetting(db, EDITION_KEY);
  return isIodEdition(value) ? value : DEFAULT_IOD_EDITION;
}

export function writeIodEdition(db: CaseDb, edition: IodEdition): void {
  if (!isIodEdition(edition)) throw new RangeError(`There is no edition ${String(edition)} of the Indices of Deprivation.`);
  writeSetting(db, EDITION_KEY, edition);
}
