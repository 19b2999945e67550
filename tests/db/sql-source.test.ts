/**
 * One current definition of the SQL the database keeps by itself (src-main/db/sql/*.sql): a database
 * after every migration holds exactly those triggers, views, summary tables and indexes, and every
 * other table and index is schema.ts's (drizzle's latest snapshot). The migration generator turns a
 * changed source into statements that bring a migrated database back to the source.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAreaDatabase } from '../../src-main/db/area/open.ts';
import { openCaseDatabase, readJournal, type CaseDatabase } from '../../src-main/db/open.ts';
import {
  databaseDefinitions,
  migrationStatements,
  normaliseSql,
  parseSqlSource,
  readSqlSources,
  splitStatements,
  sqlDifferences,
  type SqlSource,
} from '../../src-main/db/sql/sql-source.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { tempDir } from '../helpers.ts';

const migrationsDir = defaultAppPaths().migrationsDir;
let caseDb: CaseDatabase;

beforeAll(() => {
  caseDb = openCaseDatabase(path.join(tempDir(), 'case.db'), { migrationsDir });
});
afterAll(() => caseDb.close());

/** Tables and indexes drizzle knows from schema.ts, as of the newest migration's snapshot. */
function schemaTsObjects(): Set<string> {
  const last = readJournal(migrationsDir).at(-1)!;
  const snapshot = JSON.parse(fs.readFileSync(path.join(migrationsDir, 'meta', `${last.tag.slice(0, 4)}_snapshot.json`), 'utf8')) as {
    tables: Record<string, { indexes: Record<string, unknown> }>;
  };
  const names = new Set<string>();
  for (const [table, t] of Object.entries(snapshot.tables)) {
    names.add(`table ${table}`);
    for (const index of Object.keys(t.indexes)) names.add(`index ${index}`);
  }
  return names;
}

describe('the SQL sources', () => {
  it('match a database after every migration exactly: each trigger, view, summary table and index', () => {
    const sources = readSqlSources();
    const actual = databaseDefinitions(caseDb.sqlite);
    expect(sources.flatMap((s) => s.definitions).length).toBeGreaterThan(30);
    const diff = sqlDifferences(sources, actual);
    expect(diff.missing.map((d) => d.name)).toEqual([]);
    expect(diff.changed.map((d) => d.name)).toEqual([]);
    expect(diff.extra.map((d) => d.name)).toEqual([]);
    expect(migrationStatements(sources, actual)).toEqual([]);
  });

  it('leave nothing undefined: every other table and index comes from schema.ts, and none is defined in both', () => {
    const fromSchema = schemaTsObjects();
    const fromSources = new Set(readSqlSources().flatMap((s) => s.definitions.map((d) => `${d.type} ${d.name}`)));
    const undefinedAnywhere = databaseDefinitions(caseDb.sqlite)
      .map((d) => `${d.type} ${d.name}`)
      .filter((key) => !fromSchema.has(key) && !fromSources.has(key));
    expect(undefinedAnywhere).toEqual([]);
    expect([...fromSources].filter((key) => fromSchema.has(key))).toEqual([]);
  });

  it('cover the area database too: it keeps no SQL of its own (a trigger or view there would need a source here)', () => {
    const area = openAreaDatabase(path.join(tempDir(), 'area.db'), { migrationsDir });
    try {
      expect(databaseDefinitions(area.sqlite).filter((d) => d.type === 'trigger' || d.type === 'view')).toEqual([]);
    } finally {
      area.close();
    }
  });

  it('give each summary table a fill, and every trigger is defined once', () => {
    const sources = readSqlSources();
    const tables = sources.flatMap((s) => s.definitions.filter((d) => d.type === 'table').map((d) => d.name));
    expect(tables.sort()).toEqual(['report_issue_facts', 'report_month_counts', 'report_referral_facts']);
    for (const table of tables) expect(sources.some((s) => s.fills.has(table))).toBe(true);
    const names = sources.flatMap((s) => s.definitions.map((d) => `${d.type} ${d.name}`));
    expect(names.length).toBe(new Set(names).size);
  });
});

describe('reading and comparing SQL', () => {
  it('splits statements at semicolons, and a trigger only at its END', () => {
    const text = `-- a table\nCREATE TABLE t (a int); -- trailing\n\nCREATE TRIGGER x AFTER INSERT ON t BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n`;
    expect(splitStatements(text)).toEqual(['CREATE TABLE t (a int); -- trailing', 'CREATE TRIGGER x AFTER INSERT ON t BEGIN\n  SELECT 1;\n  SELECT 2;\nEND']);
    expect(() => splitStatements('CREATE TABLE t (a int)')).toThrow('does not end');
  });

  it('compares layout-blind but not meaning-blind', () => {
    expect(normaliseSql('CREATE INDEX `i` ON `t` (`a`,\n   `b`) -- why')).toBe(normaliseSql('CREATE INDEX i ON t ( a, b )'));
    expect(normaliseSql("SELECT 'a  b'")).not.toBe(normaliseSql("SELECT 'a b'"));
    expect(normaliseSql('SELECT a FROM t WHERE x = 1')).not.toBe(normaliseSql('SELECT a FROM t WHERE x = 2'));
  });

  it('refuses anything but definitions and fills in a source file', () => {
    expect(() => parseSqlSource('bad.sql', 'DELETE FROM t;\n')).toThrow('only CREATE statements');
  });
});

describe('npm run db:generate-sql (migrationStatements)', () => {
  /** The real sources with one trigger's body changed, one new trigger, and one trigger gone. */
  function editedSources(): SqlSource[] {
    const sources = readSqlSources();
    return sources.map((s) => {
      if (s.file !== 'audit_log.sql') return s;
      const text =
        s.definitions
          .filter((d) => d.name !== 'audit_log_no_delete')
          .map((d) => d.sql.replace('cannot be changed', 'can never be changed'))
          .join(';\n\n') +
        ";\n\nCREATE TRIGGER `audit_log_no_insert_without_hash` BEFORE INSERT ON `audit_log` WHEN NEW.hash = '' BEGIN\n  SELECT RAISE(ABORT, 'no hash');\nEND;\n";
      return parseSqlSource(s.file, text);
    });
  }

  it('drops and recreates what changed, creates what is new, drops what is gone, and then the database matches', () => {
    const sources = editedSources();
    const statements = migrationStatements(sources, databaseDefinitions(caseDb.sqlite));
    expect(statements.map((s) => s.split('\n')[0])).toEqual([
      'DROP TRIGGER IF EXISTS `audit_log_no_delete`',
      'DROP TRIGGER IF EXISTS `audit_log_no_update`',
      'CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN',
      "CREATE TRIGGER `audit_log_no_insert_without_hash` BEFORE INSERT ON `audit_log` WHEN NEW.hash = '' BEGIN",
    ]);
    const copy = openCaseDatabase(path.join(tempDir(), 'edited.db'), { migrationsDir });
    try {
      copy.sqlite.transaction(() => statements.forEach((s) => copy.sqlite.exec(s)))();
      expect(migrationStatements(sources, databaseDefinitions(copy.sqlite))).toEqual([]);
      const insert = copy.sqlite.prepare("INSERT INTO audit_log (at, action, prev_hash, hash) VALUES ('2026-01-01', 'test', '', ?)");
      expect(() => insert.run('')).toThrow('no hash');
      insert.run('h');
      expect(() => copy.sqlite.exec("UPDATE audit_log SET action = 'x'")).toThrow('can never be changed');
      copy.sqlite.exec('DELETE FROM audit_log');
      expect(copy.sqlite.prepare('SELECT COUNT(*) FROM audit_log').pluck().get()).toBe(0);
    } finally {
      copy.close();
    }
  });

  it('creates and fills a new summary table, and refuses to recreate a changed one', () => {
    const sources = readSqlSources();
    const withoutMonths = databaseDefinitions(caseDb.sqlite).filter((d) => d.name !== 'report_month_counts');
    const statements = migrationStatements(sources, withoutMonths);
    expect(statements[0]).toMatch(/^CREATE TABLE `report_month_counts`/);
    expect(statements[1]).toMatch(/^INSERT INTO `report_month_counts`/);

    const changed = sources.map((s) =>
      s.file === 'report_month_counts.sql'
        ? parseSqlSource(s.file, s.definitions.map((d) => d.sql.replace('`n` integer NOT NULL', '`n` integer NOT NULL, `extra` text')).join(';\n') + ';\n')
        : s,
    );
    expect(() => migrationStatements(changed, databaseDefinitions(caseDb.sqlite))).toThrow('Table report_month_counts differs from its source');
  });
});
