/** What every handler is given, and the shape of a feature's handler map. */
import type { z } from 'zod';
import type { AppPaths } from '../paths.ts';
import type { NeighbourhoodLookup } from '../core/geography.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { CaseDatabase } from '../db/open.ts';
import type { LazyAreaDatabase } from '../db/area/open.ts';
import type { LoginThrottle } from '../core/protect/login-throttle.ts';
import type { CallerSession, SessionStore } from './sessions.ts';
import type { OpenReport } from '../db/protect/reconcile.ts';
import type { OfficeShare } from '../office/share.ts';
import type { OfficeAddress } from '../core/office/address.ts';
import type { Role } from '../core/records/staff-account.ts';
import type { ReportReadPool } from '../db/reports/read-pool.ts';

export interface AppContext {
  /** Where this installation's resources and migrations are (source checkout or packaged app). */
  paths: AppPaths;
  caseDb: CaseDatabase;
  taxonomy: Taxonomy;
  neighbourhoods: NeighbourhoodLookup | null;
  /** Reference data files: the user's updatable copy (geo.import writes it) and the shipped one it starts from. */
  reference?: { userFile: string; shippedFile: string };
  /** The reference-data import under way (geo.import), for the Settings page's progress bar. */
  referenceImport?: { file: string; bytesRead: number; totalBytes: number; rowsRead: number } | null;
  /** The area-picture database (no personal data), opened on first use; absent where the entry point has none. */
  areaDb?: LazyAreaDatabase;
  host: 'electron' | 'browser';
  version: string;
  /**
   * Every caller's session (browser tabs, Electron windows): who is logged in is per session, never
   * per process (see ./sessions.ts). The database stays open while anyone is logged in.
   */
  sessions: SessionStore;
  /** Failed-login throttling, per username and overall (core/protect/login-throttle.ts). */
  loginThrottle: LoginThrottle;
  /** What the last open for writing caught up on: re-applied erasures, chained journal entries. */
  lastOpenReport?: OpenReport | null;
  /** Where internal errors' details (stack traces) are written; the console gets one plain line. */
  errorLogFile?: string;
  /** Opens the (encrypted) case database with its data key: how a login unlocks it (see db/locked.ts). */
  openCaseDb?: (key?: Buffer) => CaseDatabase;
  /** The raw data key the case database was opened with; null/absent for a plain database. */
  dataKey?: Buffer | null;
  /** The key (raw or a passphrase) the case database is open with now; null for a plain one. */
  caseDbKey?: () => Buffer | string | null;
  /**
   * Worker threads that read reports on connections of their own, so saves do not wait behind
   * reports (src-main/db/reports/read-pool.ts); absent: reports are read in this thread.
   */
  reportReaders?: ReportReadPool;
  /**
   * "Share with this office" (src-main/office/share.ts): attached by the running app (desktop or
   * `needmap serve`), absent for the CLI's one-off commands.
   */
  office?: OfficeShare;
  /**
   * Turns this fresh PC into a client of an office server (office.connect, from the first-run
   * screen): provided by the running app, which then forwards every call (src-main/office/client-mode.ts).
   */
  connectToOffice?: (request: { server: OfficeAddress; fingerprint: string; deviceName: string }) => Promise<{ state: string; code: string }>;
  /** Closes the databases and gives up the database lock (the end of the process's work on it). */
  close(): void;
}

export interface Session {
  userId: number;
  username: string;
  role: Role;
}

/** One handler per call of a feature's contract, typed by its zod schemas; `caller` is the calling session (who is logged in there). */
export type HandlersFor<Calls extends Record<string, { input: z.ZodType; output: z.ZodType }>> = {
  [K in keyof Calls]: (
    input: z.output<Calls[K]['input']>,
    ctx: AppContext,
    caller: CallerSession,
  ) => z.input<Calls[K]['output']> | Promise<z.input<Calls[K]['output']>>;
};
