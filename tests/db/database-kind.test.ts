/**
 * Each database knows its kind (SQLite application_id): a case database given to an area command,
 * or an area database to a case command, is refused naming both kinds, and the file is not changed.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openAreaDatabase } from '../../src-main/db/area/open.ts';
import { APPLICATION_IDS, DatabaseOpenError, openCaseDatabase } from '../../src-main/db/open.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { NEEDMAP_CLI, tempDir } from '../helpers.ts';

const migrationsDir = defaultAppPaths().migrationsDir;
const needmap = (...args: string[]) => spawnSync(process.execPath, [NEEDMAP_CLI, ...args], { encoding: 'utf8' });
const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function caseDatabase(): string {
  const file = path.join(tempDir(), 'case.db');
  const db = openCaseDatabase(file, { migrationsDir });
  db.sqlite
    .prepare(
      `INSERT INTO clients (first_name, last_name, date_of_birth, consent_to_record, consent_date, record_key) VALUES ('Ann', 'Lee', '1970-01-01', 1, '2026-01-01', 7)`,
    )
    .run();
  db.close();
  return file;
}

function applicationId(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return Number(db.pragma('application_id', { simple: true }));
  } finally {
    db.close();
  }
}

describe('database kinds', () => {
  it('stamps new case and area databases with their own application id', () => {
    const file = caseDatabase();
    expect(applicationId(file)).toBe(APPLICATION_IDS.case);
    const areaFile = path.join(tempDir(), 'area.db');
    openAreaDatabase(areaFile, { migrationsDir }).close();
    expect(applicationId(areaFile)).toBe(APPLICATION_IDS.area);
  });

  it('needmap area trust on a case database is refused naming both kinds, and the file is unchanged and still opens', () => {
    const file = caseDatabase();
    const before = sha256(file);
    const keyFile = path.join(tempDir(), 'signer.pub.pem');
    fs.writeFileSync(keyFile, crypto.generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    for (const args of [
      ['area', 'trust', '--db', file, '--key', keyFile, '--name', 'X'],
      ['area', 'import', '--db', file, keyFile],
      ['area', 'export', '--db', file, '--out', path.join(tempDir(), 'open')],
    ]) {
      const result = needmap(...args);
      expect(result.status, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/is a NeedMap case database \(client records\), not a NeedMap area-picture database/);
      expect(result.stderr).toContain('Nothing was changed');
    }
    expect(sha256(file)).toBe(before);
    const tables = new Database(file, { readonly: true });
    expect(tables.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'trusted_keys'").get()).toEqual({ n: 0 });
    tables.close();
    // The case database is still a case database, not one "written by a newer version".
    const reopened = openCaseDatabase(file, { migrationsDir });
    expect(reopened.sqlite.prepare('SELECT first_name FROM clients').get()).toEqual({ first_name: 'Ann' });
    reopened.close();
  });

  it('an area database given to a case command is refused the other way round, unchanged', () => {
    const areaFile = path.join(tempDir(), 'area.db');
    openAreaDatabase(areaFile, { migrationsDir }).close();
    const before = sha256(areaFile);
    expect(() => openCaseDatabase(areaFile, { migrationsDir })).toThrowError(DatabaseOpenError);
    expect(() => openCaseDatabase(areaFile, { migrationsDir })).toThrowError(
      /is a NeedMap area-picture database \(combined bundles\), not a NeedMap case database \(client records\)/,
    );
    const exported = needmap('export', '--db', areaFile, '--from', '2026-01', '--to', '2026-01', '--out', path.join(tempDir(), 'x.needmap-bundle'));
    expect(exported.status).not.toBe(0);
    expect(exported.stderr).toMatch(/area-picture database/);
    expect(sha256(areaFile)).toBe(before);
  });

  it('recognises databases made before the stamp by their tables, and stamps them', () => {
    const file = caseDatabase();
    const raw = new Database(file);
    raw.pragma('application_id = 0');
    raw.close();
    expect(() => openAreaDatabase(file, { migrationsDir })).toThrowError(/case database/);
    expect(applicationId(file)).toBe(0);
    openCaseDatabase(file, { migrationsDir }).close();
    expect(applicationId(file)).toBe(APPLICATION_IDS.case);
  });

  it('refuses a SQLite file of another application without touching it', () => {
    const file = path.join(tempDir(), 'other.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)');
    raw.close();
    const before = sha256(file);
    expect(() => openAreaDatabase(file, { migrationsDir })).toThrowError(/not a NeedMap database \(it holds other tables \(invoices\)\)/);
    expect(() => openCaseDatabase(file, { migrationsDir })).toThrowError(/not a NeedMap database/);
    expect(sha256(file)).toBe(before);
  });
});

describe('an area database made before issue 11', () => {
  it('opens as an area database (recognised by its tables), is stamped and migrated, and keeps its bundles', () => {
    // The app's migrations folder as it was: area migrations 0000–0001 only.
    const old = path.join(tempDir(), 'drizzle');
    fs.cpSync(migrationsDir, old, { recursive: true });
    const journalFile = path.join(old, 'area', 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
    journal.entries = journal.entries.slice(0, 2);
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    const file = path.join(tempDir(), 'area.db');
    const before = openAreaDatabase(file, { migrationsDir: old });
    before.sqlite
      .prepare(
        `INSERT INTO imported_bundles (organisation_id, organisation_name, fingerprint, sequence, from_month, to_month, month_count, schema,
           taxonomy_version, disclosure_policy, created_at, file_name, payload_sha256, imported_at)
         VALUES ('org-a', 'A', 'f', 1, '2026-01', '2026-03', 3, 'needmap-bundle/1', '1', 'cell-key', '2026-04-01T00:00:00Z', 'a', 'h', '2026-04-02T00:00:00Z')`,
      )
      .run();
    before.close();
    // Made before the stamp: no application id yet.
    const raw = new Database(file);
    raw.pragma('application_id = 0');
    raw.close();
    expect(() => openCaseDatabase(file, { migrationsDir })).toThrowError(/area-picture database/);

    const after = openAreaDatabase(file, { migrationsDir });
    expect(after.sqlite.prepare('SELECT organisation_id, schema, universe FROM imported_bundles').all()).toEqual([
      { organisation_id: 'org-a', schema: 'needmap-bundle/1', universe: null },
    ]);
    after.close();
    expect(applicationId(file)).toBe(APPLICATION_IDS.area);
  });
});
