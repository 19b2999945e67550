/**
 * Opening the area-picture database. It is opened exactly as the case database is (WAL, foreign
 * keys, newer-schema refusal, migrations — see ../open.ts), from its own migrations folder
 * (drizzle/area) and with its own drizzle schema.
 */
import path from 'node:path';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { openCaseDatabase, type OpenOptions, type SqliteDatabase } from '../open.ts';
import { combinePendingWithSql, hasPendingBundles } from './combine-pending.ts';
import * as areaSchema from './schema.ts';

export type AreaDb = BetterSQLite3Database<typeof areaSchema>;

export interface AreaDatabase {
  file: string;
  sqlite: SqliteDatabase;
  db: AreaDb;
  close(): void;
}

/** drizzle/area inside the app's migrations folder. */
export function areaMigrationsDir(migrationsDir: string): string {
  return path.join(migrationsDir, 'area');
}

/** `migrationsDir` is the app's (drizzle/); the area migrations are read from its `area` subfolder. */
export function openAreaDatabase(file: string, options: OpenOptions): AreaDatabase {
  const opened = openCaseDatabase(file, { ...options, kind: 'area', migrationsDir: areaMigrationsDir(options.migrationsDir) });
  const db = drizzle(opened.sqlite, { schema: areaSchema });
  const area = { file, sqlite: opened.sqlite, db, close: opened.close };
  // Bundles a stopped import batch accepted but did not combine: combined now, before anything reads the cube.
  if (!options.readonly && hasPendingBundles(area)) combinePendingWithSql(area);
  return area;
}

/** The area database, opened on first use (most sessions never need it) and then kept open. */
export interface LazyAreaDatabase {
  readonly file: string;
  get(): AreaDatabase;
  close(): void;
}

export function lazyAreaDatabase(file: string, options: OpenOptions): LazyAreaDatabase {
  let opened: AreaDatabase | null = null;
  return {
    file,
    get: () => (opened ??= openAreaDatabase(file, options)),
    close: () => {
      opened?.close();
      opened = null;
    },
  };
}
