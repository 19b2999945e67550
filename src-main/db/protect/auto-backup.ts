/**
 * Automatic backups: one when the app closes and one a day (checked at login and hourly), into
 * the configured folder, keeping the newest N (protect settings). A backup needs the database
 * open, so while an encrypted database is locked (nobody logged in) none can be made: that is
 * skipped and said in a log line, never an error that would stop the app closing.
 */
import { dailyBackupDue } from '../../core/protect/backup-schedule.ts';
import { isLocked } from '../locked.ts';
import type { CaseDatabase } from '../open.ts';
import { appendAudit } from './audit.ts';
import { backupMadeAt, backupNow, defaultBackupDir, latestActivity, listBackups, type BackupFile } from './backup.ts';
import { readProtectSettings } from './settings.ts';

/** What these need from the app context (read at each call: a login replaces the open database). */
export interface BackupHost {
  caseDb: CaseDatabase;
}

export interface AutoBackupOptions {
  now?: Date;
  /** Where the one-line outcome goes (default: the console, as `[needmap] …`). */
  log?: (line: string) => void;
}

export type AutoBackupOutcome =
  | { kind: 'made'; backup: BackupFile; removed: string[] }
  | { kind: 'skipped'; reason: 'locked' | 'unchanged' | 'not-due' }
  | { kind: 'failed'; message: string };

const consoleLog = (line: string) => console.log(`[needmap] ${line}`);

function newestBackup(dir: string): { file: BackupFile; at: Date } | null {
  for (const file of listBackups(dir)) {
    const at = backupMadeAt(file.name);
    if (at) return { file, at };
  }
  return null;
}

function makeBackup(host: BackupHost, why: 'close' | 'daily', nowOverride: Date | undefined, log: (line: string) => void): AutoBackupOutcome {
  try {
    const settings = readProtectSettings(host.caseDb.db);
    const dir = settings.backupDir ?? defaultBackupDir(host.caseDb.file);
    // Audited before the copy, so the backup holds its own entry and "nothing changed since" stays true after it.
    appendAudit(host.caseDb.db, { userId: null, username: null }, 'backup.auto', null, { why });
    // Stamped after that entry, so its time is never later than the backup's own.
    const made = backupNow(host.caseDb, dir, settings.backupKeep, nowOverride ?? new Date());
    log(`Automatic backup (${why}): ${made.backup.file}${made.removed.length ? `; removed the older ${made.removed.join(', ')}` : ''}.`);
    return { kind: 'made', ...made };
  } catch (error) {
    // A full USB stick or a missing network folder must not stop the app closing or a login.
    const message = (error as Error).message;
    log(`Automatic backup (${why}) FAILED: ${message}`);
    return { kind: 'failed', message };
  }
}

function lockedOutcome(why: string, log: (line: string) => void): AutoBackupOutcome {
  log(`No automatic backup (${why}): the encrypted database is locked (nobody is logged in), so it cannot be read. The next login backs it up.`);
  return { kind: 'skipped', reason: 'locked' };
}

/** On close: a backup unless the database is locked or nothing changed since the newest backup. */
export function backupOnClose(host: BackupHost, options: AutoBackupOptions = {}): AutoBackupOutcome {
  const log = options.log ?? consoleLog;
  if (isLocked(host.caseDb)) return lockedOutcome('close', log);
  try {
    const dir = readProtectSettings(host.caseDb.db).backupDir ?? defaultBackupDir(host.caseDb.file);
    const newest = newestBackup(dir);
    const changed = latestActivity(host.caseDb.sqlite);
    if (newest && (changed === null || new Date(changed) <= newest.at)) {
      log(`No backup on close: nothing changed since ${newest.file.name}.`);
      return { kind: 'skipped', reason: 'unchanged' };
    }
  } catch (error) {
    log(`Automatic backup (close) FAILED: ${(error as Error).message}`);
    return { kind: 'failed', message: (error as Error).message };
  }
  return makeBackup(host, 'close', options.now, log);
}

/** A backup when none was made today (local time) or the newest is older than 24 hours. Quiet when not due. */
export function maybeDailyBackup(host: BackupHost, options: AutoBackupOptions = {}): AutoBackupOutcome {
  const log = options.log ?? consoleLog;
  const now = options.now ?? new Date();
  if (isLocked(host.caseDb)) return lockedOutcome('daily', log);
  try {
    const dir = readProtectSettings(host.caseDb.db).backupDir ?? defaultBackupDir(host.caseDb.file);
    if (!dailyBackupDue(newestBackup(dir)?.at ?? null, now)) return { kind: 'skipped', reason: 'not-due' };
  } catch (error) {
    log(`Automatic backup (daily) FAILED: ${(error as Error).message}`);
    return { kind: 'failed', message: (error as Error).message };
  }
  return makeBackup(host, 'daily', options.now, log);
}

export const DAILY_CHECK_INTERVAL_MS = 60 * 60_000;

/**
 * Checks hourly whether the daily backup is due (the app may run for days). Quiet while locked:
 * the next login checks again. Returns a function that stops the timer.
 */
export function startDailyBackups(host: BackupHost, options: Omit<AutoBackupOptions, 'now'> = {}): () => void {
  const timer = setInterval(() => {
    if (!isLocked(host.caseDb)) maybeDailyBackup(host, options);
  }, DAILY_CHECK_INTERVAL_MS);
  timer.unref(); // never keeps the process alive on its own
  return () => clearInterval(timer);
}
