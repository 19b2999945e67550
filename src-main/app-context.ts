/**
 * Assembles what every handler needs — the case database, the taxonomy, the reference data —
 * the same way for the Electron app, the browser host, the CLI and the tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DemoPostcode } from './core/demo.ts';
import type { NeighbourhoodLookup } from './core/geography.ts';
import { OFFICIAL_FLAG, postcodeFromKey } from './core/postcode-index.ts';
import { ReferenceData, loadReferenceCached } from './db/geo/reference.ts';
import { upgradeUserReference } from './db/geo/reference-upgrade.ts';
import { parseTaxonomy, type Taxonomy } from './core/taxonomy.ts';
import { openCaseDatabase, type CaseDatabase } from './db/open.ts';
import { checkIntegrityInBackground } from './db/integrity.ts';
import { geographyFor } from './core/geography.ts';
import { recomputeIfReferenceChanged } from './db/geo/clients.ts';
import { readIodEdition } from './db/geo/settings.ts';
import { lazyAreaDatabase } from './db/area/open.ts';
import { readKeySlots, unlockWithPlatform } from './db/key-slots.ts';
import { lockedCaseDatabase } from './db/locked.ts';
import { ReportReadPool } from './db/reports/read-pool.ts';
import { acquireDatabaseLock } from './db/database-lock.ts';
import { reconcileOnOpen, describeReapply, type OpenReport } from './db/protect/reconcile.ts';
import { LoginThrottle, type ThrottlePolicy } from './core/protect/login-throttle.ts';
import { SessionStore } from './ipc/sessions.ts';
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
  /** A raw 32-byte data key (see core/protect/keys.ts) or a passphrase; else the platform key slot, if any. */
  key?: string | Buffer;
  nativeBinding?: string;
  /** The user's updatable reference data copy (default: defaultReferenceFile()). */
  referenceFile?: string;
  /** The area-picture database (default: area.db in the user data folder), opened on first use. */
  areaDbFile?: string;
  /** Shown to a second writer refused by the database lock (default: what `host` is). */
  lockPurpose?: string;
  /** Failed-login throttling rules (default: core/protect/login-throttle.ts's). */
  throttle?: { perUsername: ThrottlePolicy; overall: ThrottlePolicy };
  /**
   * 'at-open' (default): quick_check before the database is used. 'in-background': the app's
   * hosts open at once and check in a worker thread (db/integrity.ts); the screen says if the
   * file is damaged.
   */
  integrityCheck?: 'at-open' | 'in-background';
}

/** Where internal errors' details go: beside the database, readable by this user only. */
export function errorLogFileFor(dbFile: string): string {
  return path.join(path.dirname(path.resolve(dbFile)), 'needmap-errors.log');
}

/**
 * The context for one process working on one case database. It takes the database's lock (one
 * writing process per file: a second is refused with DatabaseInUseError) and, whenever the
 * database is opened for writing, re-applies the erasure register and chains the audit journal
 * (db/protect/reconcile.ts) before anything else reads it. `close()` gives all of that up.
 */
export function createAppContext(options: ContextOptions): AppContext {
  const taxonomy = loadTaxonomy(options.paths);
  const lock = acquireDatabaseLock(options.dbFile, options.lockPurpose ?? (options.host === 'electron' ? 'the NeedMap app' : 'needmap serve'));
  try {
    return contextHoldingLock(options, taxonomy, () => lock.release());
  } catch (error) {
    lock.release();
    throw error;
  }
}

function contextHoldingLock(options: ContextOptions, taxonomy: Taxonomy, releaseLock: () => void): AppContext {
  const key = options.key ?? unlockWithPlatform(options.dbFile) ?? undefined;
  let lastOpenReport: OpenReport | null = null;
  const reference = { userFile: options.referenceFile ?? defaultReferenceFile(), shippedFile: shippedReferenceFile(options.paths) };
  const neighbourhoods = loadNeighbourhoods(options.paths, reference.userFile, options.nativeBinding);
  // Workers started on the first report (db/reports/read-pool.ts); their connections close with the main one.
  const reportReaders = new ReportReadPool({
    taxonomy,
    root: path.dirname(options.paths.resourcesDir),
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  const open = (withKey?: string | Buffer): CaseDatabase => {
    const background = options.integrityCheck === 'in-background';
    const opened = openCaseDatabase(options.dbFile, {
      migrationsDir: options.paths.migrationsDir,
      ...(withKey ? { key: withKey } : {}),
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      ...(background ? { integrityCheck: 'later' as const } : {}),
    });
    try {
      lastOpenReport = reconcileOnOpen(opened);
    } catch (error) {
      opened.close();
      throw error;
    }
    if (background) {
      void checkIntegrityInBackground(options.dbFile, opened.sqlite, {
        ...(withKey ? { key: withKey } : {}),
        ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      });
    }
    const said = describeReapply(lastOpenReport.erasures);
    if (said && (lastOpenReport.erasures.reapplied.length > 0 || lastOpenReport.erasures.status === 'other-database')) console.log(`[needmap] ${said}`);
    if (ctx) ctx.lastOpenReport = lastOpenReport;
    refreshClientGeography(opened, ctx?.neighbourhoods ?? neighbourhoods);
    return {
      ...opened,
      close() {
        reportReaders.release();
        opened.close();
      },
    };
  };
  let ctx: AppContext | null = null;
  // An encrypted database with no key at hand starts locked: a staff login opens it.
  const caseDb = !key && readKeySlots(options.dbFile) ? lockedCaseDatabase(options.dbFile) : open(key);
  // A copy: close() wipes it, and the caller may still need its own.
  const dataKey = Buffer.isBuffer(key) ? Buffer.from(key) : null;
  const areaDb = lazyAreaDatabase(options.areaDbFile ?? path.join(defaultUserDataDir(), 'area.db'), {
    migrationsDir: options.paths.migrationsDir,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  let closed = false;
  ctx = {
    paths: options.paths,
    caseDb,
    openCaseDb: (dataKey) => open(dataKey),
    taxonomy,
    neighbourhoods,
    reference,
    areaDb,
    host: options.host,
    version: APP_VERSION,
    sessions: new SessionStore(),
    loginThrottle: new LoginThrottle(options.throttle?.perUsername, options.throttle?.overall),
    lastOpenReport,
    errorLogFile: errorLogFileFor(options.dbFile),
    dataKey,
    // The raw key once there is one (a login, encrypting a new database), else the passphrase it was opened with.
    caseDbKey: () => ctx!.dataKey ?? (typeof key === 'string' ? key : null),
    reportReaders,
    close() {
      if (closed) return;
      closed = true;
      ctx!.caseDb.close();
      void reportReaders.close();
      areaDb.close();
      ctx!.dataKey?.fill(0);
      releaseLock();
    },
  };
  return ctx;
}

/** Clients computed with other reference data than is loaded now (an upgrade, an import) are recomputed when their database opens. */
function refreshClientGeography(caseDb: CaseDatabase, neighbourhoods: NeighbourhoodLookup | null): void {
  if (!(neighbourhoods instanceof ReferenceData)) return;
  const edition = readIodEdition(caseDb.db);
  const summary = recomputeIfReferenceChanged(caseDb.db, neighbourhoods.stamp, (postcode) => geographyFor(postcode, neighbourhoods, edition));
  if (summary?.changed)
    console.error(`[needmap] The postcode reference data has changed: ${summary.changed} of ${summary.clients} clients' geography recomputed.`);
}

/** Where `needmap geo import` and Settings → Update write the user's copy of the reference data. */
export function defaultReferenceFile(): string {
  return path.join(defaultUserDataDir(), 'reference.sqlite');
}

export function shippedReferenceFile(paths: AppPaths): string {
  return path.join(paths.resourcesDir, 'reference', 'needmap-reference.sqlite');
}

/**
 * The postcode → neighbourhood → deprivation reference: the user's updated copy when there is
 * one, else the shipped data; null where neither can be read (postcodes then still give sectors).
 */
export function loadNeighbourhoods(paths: AppPaths, userFile = defaultReferenceFile(), nativeBinding?: string): ReferenceData | null {
  const options = nativeBinding ? { nativeBinding } : {};
  if (fs.existsSync(userFile)) {
    try {
      // A copy an earlier NeedMap wrote (only the postcodes then known) becomes the national data with its rows kept.
      if (upgradeUserReference(userFile, shippedReferenceFile(paths))) console.error(`[needmap] ${userFile} was upgraded to the national reference data.`);
      return loadReferenceCached(userFile, options);
    } catch (error) {
      console.error(`[needmap] ${userFile} could not be read (${(error as Error).message}); using the shipped reference data.`);
    }
  }
  const shipped = shippedReferenceFile(paths);
  if (!fs.existsSync(shipped)) return null;
  try {
    return loadReferenceCached(shipped, options);
  } catch (error) {
    console.error(`[needmap] ${shipped} could not be read: ${(error as Error).message}`);
    return null;
  }
}

const DEMO_POSTCODE_COUNT = 3000;

/**
 * Real English postcodes (with their IMD decile) for demo clients: every n-th of the live ones
 * from an official lookup (the NSPL November 2021 areas and Lewisham), so the demo organisation
 * serves a few areas, as a real one does, and the same data gives the same sample.
 */
export function demoPostcodes(_paths: AppPaths, neighbourhoods: NeighbourhoodLookup | null): DemoPostcode[] {
  if (!(neighbourhoods instanceof ReferenceData)) return [];
  const all = neighbourhoods.englishPostcodePositions();
  const official = all.filter((i) => (neighbourhoods.packed.index.flags[i]! & OFFICIAL_FLAG) !== 0);
  const positions = official.length > 0 ? official : all;
  const step = Math.max(1, Math.floor(positions.length / DEMO_POSTCODE_COUNT));
  const sample: DemoPostcode[] = [];
  for (let i = 0; i < positions.length && sample.length < DEMO_POSTCODE_COUNT; i += step) {
    const postcode = postcodeFromKey(neighbourhoods.packed.index.keys[positions[i]!]!);
    const { imdDecile } = neighbourhoods.lookup(postcode);
    if (imdDecile !== null) sample.push({ postcode, imdDecile });
  }
  return sample;
}
