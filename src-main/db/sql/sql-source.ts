/**
 * The SQL the case database keeps by itself — triggers, the reports' summary tables with their
 * indexes and the queries that fill them from scratch, and indexes schema.ts does not declare — has
 * one current definition: the .sql files beside this module, one per table that SQL keeps. The
 * migrations in drizzle/ are its history and are never edited; `npm run db:generate-sql` writes a
 * new migration from what changed here, and tests/db/sql-source.test.ts checks that a database
 * after every migration holds exactly these definitions.
 *
 * A file is a list of statements, each ending with `;` at the end of a line (a trigger at its
 * `END;` line). CREATE statements are definitions; `INSERT INTO <table> SELECT …` is how that summary
 * table is filled from the base tables (run when the table is created, and by the tests as the
 * independent recomputation the triggers must agree with).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceRoot } from '../../paths.ts';
import type { SqliteDatabase } from '../open.ts';

/**
 * Beside this module when it runs from the sources (tsx, vitest); from the compiled build
 * (dist/node, one bundle) the same folder under the app's root, found as paths.ts finds it.
 */
function sqlSourceDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return fs.existsSync(path.join(here, 'report_issue_facts.sql')) ? here : path.join(sourceRoot(), 'src-main', 'db', 'sql');
}

export const SQL_SOURCE_DIR = sqlSourceDir();

export type DefinitionType = 'table' | 'index' | 'view' | 'trigger';

export interface SqlDefinition {
  type: DefinitionType;
  name: string;
  /** The statement as written, without its final semicolon (as SQLite stores it in sqlite_master). */
  sql: string;
}

export interface SqlSource {
  file: string;
  definitions: SqlDefinition[];
  /** Summary table → the INSERT … SELECT that computes its rows from the base tables. */
  fills: Map<string, string>;
}

/** Statements in a source file, in order, each without its final semicolon; comment lines between statements are dropped. */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    if (current.length === 0 && (line.trim() === '' || line.trim().startsWith('--'))) continue;
    current.push(line);
    const isTrigger = /^\s*CREATE\s+TRIGGER\b/i.test(current[0]!);
    const ends = isTrigger ? /^\s*END;\s*$/i.test(line) : /;\s*$/.test(stripComment(line));
    if (ends) {
      statements.push(current.join('\n').trim().replace(/;$/, ''));
      current = [];
    }
  }
  if (current.length > 0) throw new Error(`A statement does not end with ";": ${current[0]!.slice(0, 80)}`);
  return statements;
}

/** A line without a trailing `-- comment` (quotes respected). */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '-' && line[i + 1] === '-') return line.slice(0, i);
  }
  return line;
}

/**
 * SQL compared for meaning rather than layout: comments dropped, identifier quotes removed, runs of
 * white space made one space, none beside brackets and commas. String literals are kept as they are.
 */
export function normaliseSql(sql: string): string {
  const withoutComments = sql
    .split('\n')
    .map(stripComment)
    .join('\n')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
  // Split into string literals (kept) and the rest (normalised).
  return withoutComments
    .split(/('(?:[^']|'')*')/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/[`"]/g, '')
            .replace(/\s+/g, ' ')
            .replace(/\s*([(),;])\s*/g, '$1'),
    )
    .join('')
    .trim();
}

const CREATE = /^CREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)\s+(?:IF\s+NOT\s+EXISTS\s+)?[`"]?([A-Za-z0-9_]+)[`"]?/i;
const FILL = /^INSERT\s+INTO\s+[`"]?([A-Za-z0-9_]+)[`"]?/i;

export function parseSqlSource(file: string, text: string): SqlSource {
  const source: SqlSource = { file, definitions: [], fills: new Map() };
  for (const statement of splitStatements(text)) {
    const create = CREATE.exec(statement);
    const fill = FILL.exec(statement);
    if (create) source.definitions.push({ type: create[1]!.toLowerCase() as DefinitionType, name: create[2]!, sql: statement });
    else if (fill) source.fills.set(fill[1]!, statement);
    else throw new Error(`${file}: only CREATE statements and INSERT INTO … SELECT fills belong here, not: ${statement.slice(0, 80)}`);
  }
  return source;
}

/** Every .sql file in the folder, in name order. */
export function readSqlSources(dir = SQL_SOURCE_DIR): SqlSource[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseSqlSource(f, fs.readFileSync(path.join(dir, f), 'utf8')));
}

/** The SELECT that recomputes a summary table from the base tables, from its source file. */
export function fillQuery(table: string, sources = readSqlSources()): string {
  for (const source of sources) {
    const fill = source.fills.get(table);
    if (fill) return fill.slice(fill.search(/\bSELECT\b/i));
  }
  throw new Error(`No source file fills ${table}.`);
}

/** The database's own tables, indexes, views and triggers (not SQLite's or drizzle's bookkeeping). */
export function databaseDefinitions(sqlite: SqliteDatabase): SqlDefinition[] {
  return sqlite
    .prepare(
      `SELECT type, name, sql FROM sqlite_master
       WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations' ORDER BY type, name`,
    )
    .all() as SqlDefinition[];
}

export interface SqlDifferences {
  /** In source, not in the database. */
  missing: SqlDefinition[];
  /** In both, defined differently: the source's definition. */
  changed: SqlDefinition[];
  /** Triggers and views in the database that no source file defines (tables and indexes may come from schema.ts). */
  extra: SqlDefinition[];
}

export function sqlDifferences(sources: readonly SqlSource[], actual: readonly SqlDefinition[]): SqlDifferences {
  const inDatabase = new Map(actual.map((d) => [`${d.type} ${d.name}`, d]));
  const wanted = sources.flatMap((s) => s.definitions);
  const wantedKeys = new Set(wanted.map((d) => `${d.type} ${d.name}`));
  const missing: SqlDefinition[] = [];
  const changed: SqlDefinition[] = [];
  for (const d of wanted) {
    const found = inDatabase.get(`${d.type} ${d.name}`);
    if (!found) missing.push(d);
    else if (normaliseSql(found.sql) !== normaliseSql(d.sql)) changed.push(d);
  }
  const extra = actual.filter((d) => (d.type === 'trigger' || d.type === 'view') && !wantedKeys.has(`${d.type} ${d.name}`));
  return { missing, changed, extra };
}

const CREATE_ORDER: DefinitionType[] = ['table', 'index', 'view', 'trigger'];

/**
 * The statements that turn a database with `actual` into one matching the sources: triggers, views
 * and indexes are dropped and created again; a new summary table is created and filled. A changed
 * table cannot be recreated without losing its rows, so that is refused (write its ALTER by hand,
 * then change the source to match).
 */
export function migrationStatements(sources: readonly SqlSource[], actual: readonly SqlDefinition[]): string[] {
  const diff = sqlDifferences(sources, actual);
  const changedTables = diff.changed.filter((d) => d.type === 'table');
  if (changedTables.length > 0) {
    throw new Error(
      `Table ${changedTables.map((d) => d.name).join(', ')} differs from its source; a table is changed by a migration written by hand (ALTER TABLE, or a new table and a fill).`,
    );
  }
  const drops = [...diff.extra, ...diff.changed].map((d) => `DROP ${d.type.toUpperCase()} IF EXISTS \`${d.name}\``);
  const toCreate = new Set([...diff.missing, ...diff.changed]);
  const creates = sources.flatMap((s) => s.definitions).filter((d) => toCreate.has(d));
  const newTables = new Set(diff.missing.filter((d) => d.type === 'table').map((d) => d.name));
  const fills = sources.flatMap((s) => [...s.fills].filter(([table]) => newTables.has(table)).map(([, insert]) => insert));
  return [
    ...drops,
    ...creates.filter((d) => d.type === 'table').map((d) => d.sql),
    ...fills,
    ...CREATE_ORDER.filter((t) => t !== 'table').flatMap((t) => creates.filter((d) => d.type === t).map((d) => d.sql)),
  ];
}
