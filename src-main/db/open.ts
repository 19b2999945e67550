/**
 * Opening the case database: SQLite (optionally encrypted) in WAL mode with foreign keys on,
 * migrated to this app's schema. An app never opens a database written by a newer version.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type SqliteDatabase = InstanceType<typeof Database>;
export type CaseDb = BetterSQLite3Database<typeof schema>;

export interface CaseDatabase {
  file: string;
  sqlite: SqliteDatabase;
  db: CaseDb;
  close(): void;
}

export interface OpenOptions {
  migrationsDir: string;
  /**
   * SQLCipher key; when given the file is encrypted at rest. A 32-byte Buffer is a raw data key
   * (see src-main/core/protect/keys.ts, used as is); a string is a passphrase (SQLCipher's KDF).
   */
  key?: string | Buffer;
  /** Path to a better-sqlite3 build for another ABI (Electron); see src-main/launcher/start.mjs. */
  nativeBinding?: string;
  readonly?: boolean;
  /** Which kind of NeedMap database the caller expects (default: the case database). */
  kind?: DatabaseKind;
  /**
   * 'at-open' (default): PRAGMA quick_check before the file is used, once per file per process
   * (commands that write, tests). 'later': skipped here; the app checks in the background after
   * opening (db/integrity.ts), so nobody waits ~10 s for a large encrypted file at login.
   */
  integrityCheck?: 'at-open' | 'later';
}

/**
 * NeedMap keeps two kinds of database: an organisation's case records and a local authority's
 * area picture. Each is stamped in the SQLite header's application_id, so a file given to the
 * wrong command is refused before anything (a migration, WAL mode) writes to it.
 */
export type DatabaseKind = 'case' | 'area';

/** "NMCA" and "NMAR" in ASCII: SQLite's application_id is a 32-bit signed integer in the file header. */
export const APPLICATION_IDS: Readonly<Record<DatabaseKind, number>> = { case: 0x4e4d4341, area: 0x4e4d4152 };

const KIND_NAMES: Readonly<Record<DatabaseKind, string>> = {
  case: 'a NeedMap case database (client records)',
  area: 'a NeedMap area-picture database (combined bundles)',
};

/** A table only that kind of database has: how files made before the stamp are recognised. */
const KIND_MARKER_TABLES: Readonly<Record<DatabaseKind, string>> = { case: 'clients', area: 'trusted_keys' };

export class DatabaseOpenError extends Error {
  constructor(
    message: string,
    readonly reason: 'newer-schema' | 'wrong-key' | 'not-a-database' | 'locked' | 'missing' | 'corrupt' | 'wrong-kind',
  ) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

export function readJournal(migrationsDir: string): JournalEntry[] {
  const journalPath = path.join(migrationsDir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalPath, 'utf8')) as { entries: JournalEntry[] };
  return journal.entries;
}

/** The newest migration time recorded in the database, or null for a database never migrated. */
function appliedMigrationTime(sqlite: SqliteDatabase): number | null {
  const table = sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='__drizzle_migrations'").get();
  if (!table) return null;
  const row = sqlite.prepare('SELECT MAX(created_at) AS t FROM __drizzle_migrations').get() as { t: number | null };
  return row.t === null ? null : Number(row.t);
}

export function applyKey(sqlite: SqliteDatabase, key: string | Buffer): void {
  sqlite.pragma(`cipher='sqlcipher'`);
  if (Buffer.isBuffer(key)) {
    if (key.length !== 32) throw new DatabaseOpenError('A raw database key must be 32 bytes (256 bits).', 'wrong-key');
    // SQLCipher's raw-key form: 64 hex digits, no key derivation (the key is already random).
    sqlite.pragma(`key="x'${key.toString('hex')}'"`);
    return;
  }
  // The key is passed as a hex blob literal so no character in it can break out of the pragma.
  sqlite.pragma(`key="x'${Buffer.from(key, 'utf8').toString('hex')}'"`);
}

export function corrupt(file: string, detail: string): DatabaseOpenError {
  return new DatabaseOpenError(
    `${file} is damaged (${detail}). Restore the latest backup: needmap restore --db ${file} --from BACKUP (or Settings → Backups in the app).`,
    'corrupt',
  );
}

/**
 * Files that passed quick_check in this process. The check reads (and, encrypted, decrypts) the
 * whole file — seconds on a large database — so a re-login after a lock, which reopens the same
 * file this process just closed, does not pay for it again.
 */
const checkedThisProcess = new Set<string>();

/** Whether a file passed quick_check in this process already. */
export function checkedInThisProcess(file: string): boolean {
  return checkedThisProcess.has(path.resolve(file));
}

/** Records a file as having passed quick_check (the background check reports here). */
export function markChecked(file: string): void {
  checkedThisProcess.add(path.resolve(file));
}

/** PRAGMA quick_check at the first open in a process: a damaged file is reported with the way back, before anything writes to it. */
function checkIntegrity(sqlite: SqliteDatabase, file: string): void {
  const resolved = path.resolve(file);
  if (checkedThisProcess.has(resolved)) return;
  let rows: { quick_check: string }[];
  try {
    rows = sqlite.pragma('quick_check(5)') as { quick_check: string }[];
  } catch (error) {
    throw corrupt(file, (error as Error).message);
  }
  if (rows.length !== 1 || rows[0]!.quick_check !== 'ok') throw corrupt(file, rows.map((r) => r.quick_check).join('; '));
  checkedThisProcess.add(resolved);
}

/** The kind a file says it is: its stamp, else (made before the stamp) its tables; 'empty' for a new file. */
function kindOf(sqlite: SqliteDatabase): DatabaseKind | 'empty' | { foreign: string } {
  const id = Number(sqlite.pragma('application_id', { simple: true }));
  if (id !== 0) {
    const kind = (Object.keys(APPLICATION_IDS) as DatabaseKind[]).find((k) => APPLICATION_IDS[k] === id);
    return kind ?? { foreign: `its SQLite application id is 0x${(id >>> 0).toString(16)}` };
  }
  const tables = new Set(
    (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name),
  );
  if (tables.size === 0) return 'empty';
  // The case records come first: a case file an older version wrongly added area tables to is still a case file.
  if (tables.has(KIND_MARKER_TABLES.case)) return 'case';
  if (tables.has(KIND_MARKER_TABLES.area)) return 'area';
  return tables.has('__drizzle_migrations') ? 'empty' : { foreign: `it holds other tables (${[...tables].slice(0, 3).join(', ')})` };
}

/** Refuses a file of another kind, naming both, before anything is written; stamps a new or older file of the right kind. */
function checkKind(sqlite: SqliteDatabase, file: string, expected: DatabaseKind, readonly: boolean): void {
  const found = kindOf(sqlite);
  if (typeof found === 'object') {
    throw new DatabaseOpenError(`${file} is not a NeedMap database (${found.foreign}); expected ${KIND_NAMES[expected]}. Nothing was changed.`, 'wrong-kind');
  }
  if (found !== 'empty' && found !== expected) {
    throw new DatabaseOpenError(
      `${file} is ${KIND_NAMES[found]}, not ${KIND_NAMES[expected]}: ` +
        (expected === 'area' ? 'give area commands the area database. ' : 'give this command the case database. ') +
        'Nothing was changed.',
      'wrong-kind',
    );
  }
  if (!readonly && Number(sqlite.pragma('application_id', { simple: true })) !== APPLICATION_IDS[expected]) {
    sqlite.pragma(`application_id = ${APPLICATION_IDS[expected]}`);
  }
}

export function openCaseDatabase(file: string, options: OpenOptions): CaseDatabase {
  if (options.readonly && !fs.existsSync(file)) {
    throw new DatabaseOpenError(`No database at ${file}.`, 'missing');
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file, {
    readonly: options.readonly ?? false,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  try {
    if (options.key) applyKey(sqlite, options.key);
    try {
      sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (error) {
      const message = (error as Error).message;
      if ((error as { code?: string }).code === 'SQLITE_CORRUPT' || /malformed/i.test(message)) throw corrupt(file, message);
      if (/not a database|file is encrypted/i.test(message)) {
        throw options.key
          ? new DatabaseOpenError(`${file} could not be opened with this key (wrong key, or not a NeedMap database).`, 'wrong-key')
          : new DatabaseOpenError(`${file} is encrypted or is not a database; a key is needed to open it.`, 'not-a-database');
      }
      throw error;
    }
    // Before WAL mode, the integrity check or any migration: a file of the other kind stays exactly as it was.
    checkKind(sqlite, file, options.kind ?? 'case', options.readonly ?? false);
    if (!options.readonly) {
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
    }
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // Reports read up to a million summary rows: keep them in memory between views (the cache grows
    // only as pages are read; mmap saves a copy per page read, and encrypted files still open and read correctly).
    sqlite.pragma('cache_size = -131072'); // KiB: up to 128 MiB
    sqlite.pragma('mmap_size = 1073741824');
    // Deleted and overwritten content is zeroed, so erased personal data leaves no trace in free pages.
    sqlite.pragma('secure_delete = ON');
    if ((options.integrityCheck ?? 'at-open') === 'at-open') checkIntegrity(sqlite, file);

    const journal = readJournal(options.migrationsDir);
    const newestKnown = Math.max(...journal.map((e) => e.when));
    const applied = appliedMigrationTime(sqlite);
    if (applied !== null && applied > newestKnown) {
      throw new DatabaseOpenError(
        `${file} was written by a newer version of NeedMap (schema ${new Date(applied).toISOString()}); ` +
          'this version cannot open it safely. Please update NeedMap.',
        'newer-schema',
      );
    }
    const db = drizzle(sqlite, { schema });
    if (!options.readonly && (applied === null || applied < newestKnown)) {
      migrate(db, { migrationsFolder: options.migrationsDir });
    }
    return { file, sqlite, db, close: () => sqlite.close() };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}
