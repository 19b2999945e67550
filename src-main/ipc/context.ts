/** What every handler is given, and the shape of a feature's handler map. */
import type { z } from 'zod';
import type { AppPaths } from '../paths.ts';
import type { NeighbourhoodLookup } from '../core/geography.ts';
import type { Taxonomy } from '../core/taxonomy.ts';
import type { CaseDatabase } from '../db/open.ts';
import type { LazyAreaDatabase } from '../db/area/open.ts';

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
  /** The logged-in staff user; null/absent when locked or logged out (see ipc/permissions.ts). */
  session?: Session | null;
  /** Date.now() of the session's last call, for auto-lock. */
  lastActivity?: number;
  /** Opens the (encrypted) case database with its data key: how a login unlocks it (see db/locked.ts). */
  openCaseDb?: (key: Buffer) => CaseDatabase;
  /** The raw data key the case database was opened with; null/absent for a plain database. */
  dataKey?: Buffer | null;
}

export type Role = 'caseworker' | 'manager' | 'admin';

export interface Session {
  userId: number;
  username: string;
  role: Role;
}

/** One handler per call of a feature's contract, typed by its zod schemas. */
export type HandlersFor<Calls extends Record<string, { input: z.ZodType; output: z.ZodType }>> = {
  [K in keyof Calls]: (input: z.output<Calls[K]['input']>, ctx: AppContext) => z.input<Calls[K]['output']> | Promise<z.input<Calls[K]['output']>>;
};
