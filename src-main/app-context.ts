/**
 * Assembles what every handler needs — the case database, the taxonomy, the reference data —
 * the same way for the Electron app, the browser host, the CLI and the tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DemoPostcode } from './core/demo.ts';
import type { NeighbourhoodLookup } from './core/geography.ts';
import { parseTaxonomy, type Taxonomy } from './core/taxonomy.ts';
import { openCaseDatabase } from './db/open.ts';
import type { AppContext } from './ipc/handlers.ts';
import type { AppPaths } from './paths.ts';

export const APP_VERSION = '0.1.0';

export function loadTaxonomy(paths: AppPaths): Taxonomy {
  const file = path.join(paths.resourcesDir, 'taxonomy.json');
  return parseTaxonomy(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** Electron's userData folder for an app named "NeedMap", so the CLI and the app share a default. */
export function defaultUserDataDir(): string {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'NeedMap');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'NeedMap');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'NeedMap');
}

export function defaultCaseDatabaseFile(): string {
  return path.join(defaultUserDataDir(), 'needmap.db');
}

export interface ContextOptions {
  dbFile: string;
  paths: AppPaths;
  host: AppContext['host'];
  key?: string;
  nativeBinding?: string;
}

export function createAppContext(options: ContextOptions): AppContext {
  const taxonomy = loadTaxonomy(options.paths);
  const caseDb = openCaseDatabase(options.dbFile, {
    migrationsDir: options.paths.migrationsDir,
    ...(options.key ? { key: options.key } : {}),
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  return { caseDb, taxonomy, neighbourhoods: loadNeighbourhoods(options.paths), host: options.host, version: APP_VERSION };
}

/** The shipped postcode → neighbourhood → deprivation reference, or null where none is installed. */
export function loadNeighbourhoods(_paths: AppPaths): NeighbourhoodLookup | null {
  return null;
}

/** Real postcodes (with their deprivation decile) for demo clients to live at. */
export function demoPostcodes(_paths: AppPaths, _neighbourhoods: NeighbourhoodLookup | null): DemoPostcode[] {
  return [];
}
