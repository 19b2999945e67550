import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DatabaseOpenError, openCaseDatabase, readJournal } from '../../src-main/db/open.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { tempDir } from '../helpers.ts';

const migrationsDir = defaultAppPaths().migrationsDir;

/** A copy of the migrations folder holding only the first `count` migrations: an older app. */
function olderMigrations(count: number): string {
  const dir = path.join(tempDir(), 'drizzle');
  fs.cpSync(migrationsDir, dir, { recursive: true });
  const journalFile = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, count);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const names = (db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  db.close();
  return names;
}

describe('database migrations', () => {
  it('creates every table from empty, in WAL mode with foreign keys on', () => {
    const file = path.join(tempDir(), 'new.db');
    const caseDb = openCaseDatabase(file, { migrationsDir });
    expect(caseDb.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(caseDb.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    const applied = caseDb.sqlite.prepare('SELECT COUNT(*) AS n FROM __drizzle_migrations').get() as { n: number };
    expect(applied.n).toBe(readJournal(migrationsDir).length);
    caseDb.close();
    expect(tables(file)).toEqual(expect.arrayContaining(['clients', 'contacts', 'client_issues', 'issue_status_events', 'settings']));
  });

  it('upgrades a database made by each earlier schema, keeping its rows', () => {
    const journal = readJournal(migrationsDir);
    for (let count = 1; count < journal.length; count++) {
      const file = path.join(tempDir(), `v${count}.db`);
      const old = openCaseDatabase(file, { migrationsDir: olderMigrations(count) });
      old.sqlite
        .prepare(
          `INSERT INTO clients (first_name, last_name, date_of_birth, consent_to_record, consent_date, record_key)
           VALUES ('Ann', 'Lee', '1970-01-01', 1, '2026-01-01', 42)`,
        )
        .run();
      old.close();
      const upgraded = openCaseDatabase(file, { migrationsDir });
      const n = upgraded.sqlite.prepare('SELECT COUNT(*) AS n FROM __drizzle_migrations').get() as { n: number };
      expect(n.n).toBe(journal.length);
      expect(upgraded.sqlite.prepare("SELECT first_name FROM clients WHERE last_name = 'Lee'").get()).toEqual({ first_name: 'Ann' });
      upgraded.close();
    }
  });

  it('an older app refuses a database written by a newer one, with a clear message', () => {
    const journal = readJournal(migrationsDir);
    const file = path.join(tempDir(), 'newer.db');
    openCaseDatabase(file, { migrationsDir }).close();
    // Simulate a newer app's migration recorded in the file.
    const db = new Database(file);
    db.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('future', Math.max(...journal.map((e) => e.when)) + 1000);
    db.close();
    expect(() => openCaseDatabase(file, { migrationsDir })).toThrowError(DatabaseOpenError);
    expect(() => openCaseDatabase(file, { migrationsDir })).toThrowError(/newer version of NeedMap/);
  });

  it('says clearly when a file is not a database', () => {
    const file = path.join(tempDir(), 'junk.db');
    fs.writeFileSync(file, 'this is not a database, just some text that is long enough to be read as a header');
    expect(() => openCaseDatabase(file, { migrationsDir })).toThrowError(/not a database|encrypted/);
  });
});
