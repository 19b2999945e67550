/** The protection settings (auto-lock, retention, backups), stored as one JSON value in `settings`. */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { DEFAULT_RETENTION_YEARS } from '../../core/protect/erasure.ts';
import type { CaseDb } from '../open.ts';
import { settings } from '../schema.ts';

export const ProtectSettings = z.object({
  autoLockMinutes: z
    .number()
    .int()
    .min(1, { message: 'Auto-lock must be at least 1 minute.' })
    .max(240, { message: 'Auto-lock can be at most 240 minutes.' })
    .default(10),
  retentionYears: z.number().int().min(1, { message: 'Keep records at least 1 year.' }).max(100).default(DEFAULT_RETENTION_YEARS),
  /** Folder for automatic backups (a USB stick or network folder); null = "backups" beside the database. */
  backupDir: z.string().trim().min(1).max(1000).nullable().default(null),
  backupKeep: z.number().int().min(1, { message: 'Keep at least 1 backup.' }).max(365).default(7),
});
export type ProtectSettings = z.infer<typeof ProtectSettings>;

const KEY = 'protect';

export function readProtectSettings(db: CaseDb): ProtectSettings {
  const row = db.select().from(settings).where(eq(settings.key, KEY)).get();
  const parsed = ProtectSettings.safeParse(row ? JSON.parse(row.value) : {});
  return parsed.success ? parsed.data : ProtectSettings.parse({});
}

export function writeProtectSettings(db: CaseDb, patch: Partial<ProtectSettings>): ProtectSettings {
  const next = ProtectSettings.parse({ ...readProtectSettings(db), ...patch });
  const value = JSON.stringify(next);
  db.insert(settings).values({ key: KEY, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
  return next;
}

export function readSettingText(db: CaseDb, key: string): string | null {
  const row = db.select().from(settings).where(eq(settings.key, key)).get();
  return row ? (JSON.parse(row.value) as string) : null;
}

export function writeSettingText(db: CaseDb, key: string, text: string): void {
  const value = JSON.stringify(text);
  db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
}
