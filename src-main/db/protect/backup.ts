/**
 * Backups and restore. A backup is `VACUUM INTO` a new file: a consistent snapshot taken while
 * the app runs, encrypted with the same key as the source (the SQLite online backup API refuses
 * an encrypted source with a plain target here, so VACUUM INTO is the one that works with
 * multiple-ciphers). The key slots file is copied beside it, since the backup cannot be opened
 * without it. Restore keeps the replaced database aside and refuses to go back in time without force.
 */
import fs from 'node:fs';
import path from 'node:path';
import { heldByThisProcess } from '../database-lock.ts';
import { keySlotsPath } from '../key-slots.ts';
import { DatabaseOpenError, openCaseDatabase, readJournal, type CaseDatabase, type SqliteDatabase } from '../open.ts';
import { purgeWal } from './erase.ts';
import { checkErasureRegister } from './erasure-register.ts';

const BACKUP_NAME = /^needmap-(\d{8}-\d{9})\.db$/;

/** UTC date and time in a backup's file name, e.g. needmap-20260303-141502123.db. */
function stamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .replace(/^(\d{8})(\d{9})$/, '$1-$2');
}

export function backupTo(caseDb: CaseDatabase, outFile: string): { file: string; bytes: number; keySlotsCopied: boolean } {
  if (fs.existsSync(outFile)) throw new Error(`${outFile} already exists; choose a new file name.`);
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  caseDb.sqlite.prepare('VACUUM INTO ?').run(outFile);
  const slots = keySlotsPath(caseDb.file);
  const keySlotsCopied = fs.existsSync(slots);
  if (keySlotsCopied) fs.copyFileSync(slots, keySlotsPath(outFile));
  return { file: outFile, bytes: fs.statSync(outFile).size, keySlotsCopied };
}

export function defaultBackupDir(dbFile: string): string {
  return path.join(path.dirname(path.resolve(dbFile)), 'backups');
}

export interface BackupFile {
  file: string;
  name: string;
  bytes: number;
  createdAt: string;
}

/** When a backup was made, from its name (copying to a USB stick can change a file's mtime). */
export function backupMadeAt(name: string): Date | null {
  const m = BACKUP_NAME.exec(name)?.[1]?.match(/^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(\d{3})$/);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!));
}

export function listBackups(dir: string): BackupFile[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => BACKUP_NAME.test(name))
    .sort()
    .reverse()
    .map((name) => {
      const file = path.join(dir, name);
      const stat = fs.statSync(file);
      return { file, name, bytes: stat.size, createdAt: stat.mtime.toISOString() };
    });
}

/** A dated backup in `dir`, then only the newest `keep` are kept. */
export function backupNow(caseDb: CaseDatabase, dir: string, keep: number, at = new Date()): { backup: BackupFile; removed: string[] } {
  const file = path.join(dir, `needmap-${stamp(at)}.db`);
  backupTo(caseDb, file);
  const all = listBackups(dir);
  const removed: string[] = [];
  for (const old of all.slice(keep)) {
    fs.rmSync(old.file, { force: true });
    fs.rmSync(keySlotsPath(old.file), { force: true });
    removed.push(old.name);
  }
  return { backup: all.find((b) => b.file === file)!, removed };
}

/** The newest moment anything was recorded in the database (ISO), or null for an empty one. */
export function latestActivity(sqlite: SqliteDatabase): string | null {
  const row = sqlite
    .prepare(
      `SELECT MAX(t) AS t FROM (
         SELECT MAX(updated_at) AS t FROM clients UNION ALL
         SELECT MAX(created_at) FROM contacts UNION ALL
         SELECT MAX(recorded_at) FROM issue_status_events UNION ALL
         SELECT MAX(at) FROM audit_log)`,
    )
    .get() as { t: string | null };
  return row.t;
}

export interface BackupPreview {
  file: string;
  clients: number;
  erasedClients: number;
  contacts: number;
  issues: number;
  users: number;
  firstContact: string | null;
  lastContact: string | null;
  latestActivity: string | null;
  schemaVersion: string | null;
  encrypted: boolean;
  /** With `registerOf`: how many erasures from that database's register restoring this backup would re-apply (null: none asked). */
  erasuresToReapply: number | null;
  /** With `registerOf`: retention runs from the register missing from this backup's log. */
  retentionRunsToRestore: number | null;
}

function schemaTag(sqlite: SqliteDatabase, migrationsDir: string): string | null {
  const row = sqlite.prepare('SELECT MAX(created_at) AS t FROM __drizzle_migrations').get() as { t: number | null };
  if (row.t === null) return null;
  return readJournal(migrationsDir).find((e) => e.when === Number(row.t))?.tag ?? `unknown (${new Date(Number(row.t)).toISOString()})`;
}

/**
 * What a backup holds, read-only; opening it also runs quick_check, so a damaged backup is reported.
 * `registerOf`: the database it would replace, whose erasure register is checked against it.
 */
export function previewBackup(file: string, options: { migrationsDir: string; key?: Buffer | undefined; registerOf?: string }): BackupPreview {
  const backup = openCaseDatabase(file, { migrationsDir: options.migrationsDir, readonly: true, ...(options.key ? { key: options.key } : {}) });
  try {
    const count = (sql: string) => (backup.sqlite.prepare(sql).get() as { n: number }).n;
    const range = backup.sqlite.prepare('SELECT MIN(contact_date) AS first, MAX(contact_date) AS last FROM contacts').get() as {
      first: string | null;
      last: string | null;
    };
    return {
      file,
      clients: count('SELECT count(*) AS n FROM clients'),
      erasedClients: count('SELECT count(*) AS n FROM clients WHERE erased_at IS NOT NULL'),
      contacts: count('SELECT count(*) AS n FROM contacts'),
      issues: count('SELECT count(*) AS n FROM client_issues'),
      users: count('SELECT count(*) AS n FROM users'),
      firstContact: range.first,
      lastContact: range.last,
      latestActivity: latestActivity(backup.sqlite),
      schemaVersion: schemaTag(backup.sqlite, options.migrationsDir),
      encrypted: !fs.readFileSync(file).subarray(0, 16).equals(Buffer.from('SQLite format 3\0', 'latin1')),
      ...registerPreview(backup.sqlite, options.registerOf),
    };
  } finally {
    backup.close();
  }
}

function registerPreview(sqlite: SqliteDatabase, registerOf: string | undefined) {
  if (!registerOf) return { erasuresToReapply: null, retentionRunsToRestore: null };
  const check = checkErasureRegister(sqlite, registerOf);
  return { erasuresToReapply: check.due.length, retentionRunsToRestore: check.retentionRunsMissing.length };
}

export class RestoreRefused extends Error {
  override name = 'RestoreRefused';
}

/**
 * Replaces dbFile by the backup. The caller must hold the database lock (db/database-lock.ts): then
 * no other process has it open, and the caller has closed its own connection. Refuses when the current
 * database holds newer records than the backup unless `force`; a damaged current database never
 * blocks a restore. The replaced files are renamed to `<db>.replaced-<stamp>` (and its -wal, .keys.json).
 */
export function restoreDatabase(
  dbFile: string,
  fromFile: string,
  options: { migrationsDir: string; key?: Buffer | undefined; force?: boolean },
): { preview: BackupPreview; currentLatest: string | null; replacedFile: string | null } {
  if (!heldByThisProcess(dbFile)) throw new Error(`Restoring ${dbFile} needs its lock: close every NeedMap using it first.`);
  if (!fs.existsSync(fromFile)) throw new Error(`No backup at ${fromFile}.`);
  if (path.resolve(fromFile) === path.resolve(dbFile)) throw new Error('The backup and the database are the same file.');
  const preview = previewBackup(fromFile, { ...options, registerOf: dbFile });
  let currentLatest: string | null = null;
  if (fs.existsSync(dbFile)) {
    try {
      const current = openCaseDatabase(dbFile, { migrationsDir: options.migrationsDir, ...(options.key ? { key: options.key } : {}) });
      try {
        currentLatest = latestActivity(current.sqlite);
        purgeWal(current);
      } finally {
        current.close();
      }
    } catch (error) {
      if (!(error instanceof DatabaseOpenError && error.reason === 'corrupt')) throw error;
    }
    if (currentLatest && preview.latestActivity !== null && currentLatest > preview.latestActivity && !options.force) {
      throw new RestoreRefused(
        `${dbFile} has records up to ${currentLatest}, newer than the backup (${preview.latestActivity}). ` +
          'Restoring would lose them; add --force to restore anyway (the current file is kept aside).',
      );
    }
  }
  let replacedFile: string | null = null;
  if (fs.existsSync(dbFile)) {
    replacedFile = `${dbFile}.replaced-${stamp()}`;
    fs.renameSync(dbFile, replacedFile);
    for (const suffix of ['-wal', '-shm']) if (fs.existsSync(dbFile + suffix)) fs.renameSync(dbFile + suffix, replacedFile + suffix);
    if (fs.existsSync(keySlotsPath(dbFile))) fs.copyFileSync(keySlotsPath(dbFile), keySlotsPath(replacedFile));
  }
  try {
    // Copied under a temporary name and renamed in, so dbFile is never a half-written copy.
    const incoming = `${dbFile}.restoring`;
    fs.copyFileSync(fromFile, incoming);
    fs.renameSync(incoming, dbFile);
    if (fs.existsSync(keySlotsPath(fromFile))) fs.copyFileSync(keySlotsPath(fromFile), keySlotsPath(dbFile));
  } catch (error) {
    // A full disk or a vanished USB stick: the replaced database goes back as it was.
    fs.rmSync(`${dbFile}.restoring`, { force: true });
    if (replacedFile) {
      fs.rmSync(dbFile, { force: true });
      fs.renameSync(replacedFile, dbFile);
      for (const suffix of ['-wal', '-shm']) if (fs.existsSync(replacedFile + suffix)) fs.renameSync(replacedFile + suffix, dbFile + suffix);
      if (fs.existsSync(keySlotsPath(replacedFile))) fs.copyFileSync(keySlotsPath(replacedFile), keySlotsPath(dbFile));
    }
    throw new Error(`The backup could not be copied into place (${(error as Error).message}); the database is unchanged.`, { cause: error });
  }
  // The erasure register (beside dbFile) is deliberately not replaced: the next open re-applies it.
  return { preview, currentLatest, replacedFile };
}
