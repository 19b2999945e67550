/**
 * How CLI commands open the case database. Writers take the database lock first (a running app or
 * `needmap serve` makes them exit with "in use by NeedMap (process N, since …)"), and every open
 * for writing re-applies the erasure register and chains the audit journal before the command
 * runs. Commands that only read (audit verify) open read-only and need no lock; backup and audit
 * export read while another process holds the lock and leave their audit entry in the journal.
 */
import { acquireDatabaseLock, DatabaseInUseError, type DatabaseLock } from '../db/database-lock.ts';
import { openCaseDatabase, type CaseDatabase } from '../db/open.ts';
import os from 'node:os';
import { appendAudit, type AuditActor } from '../db/protect/audit.ts';
import { journalAudit } from '../db/protect/audit-journal.ts';
import { describeReapply, reconcileOnOpen, type OpenReport } from '../db/protect/reconcile.ts';
import { defaultAppPaths } from '../paths.ts';

/** Audit entries written by the CLI name the operating-system account that ran it. */
export function cliActor(): AuditActor {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): keep "unknown".
  }
  return { userId: null, username: `cli:${user}` };
}

export interface CliDatabase {
  caseDb: CaseDatabase;
  /** Null when opened read-only beside another process that holds the lock. */
  report: OpenReport | null;
  /** Writes an audit entry (into the journal when another process holds the database). */
  audit(action: string, target: string | null, detail: Record<string, unknown>): void;
  close(): void;
}

function open(dbFile: string, key: Buffer | undefined, readonly: boolean): CaseDatabase {
  return openCaseDatabase(dbFile, { migrationsDir: defaultAppPaths().migrationsDir, readonly, ...(key ? { key } : {}) });
}

/** Opens for writing under the lock (throws DatabaseInUseError while another NeedMap holds it). */
export function openForWriting(dbFile: string, key: Buffer | undefined, purpose: string, options: { announce?: boolean } = {}): CliDatabase {
  const lock = acquireDatabaseLock(dbFile, purpose);
  return openLocked(dbFile, key, lock, options.announce ?? true);
}

function openLocked(dbFile: string, key: Buffer | undefined, lock: DatabaseLock, announce = true): CliDatabase {
  let caseDb: CaseDatabase;
  let report: OpenReport;
  try {
    caseDb = open(dbFile, key, false);
    try {
      report = reconcileOnOpen(caseDb);
    } catch (error) {
      caseDb.close();
      throw error;
    }
  } catch (error) {
    lock.release();
    throw error;
  }
  const said = describeReapply(report.erasures);
  if (announce && said && report.erasures.reapplied.length > 0) process.stderr.write(`${said}\n`);
  return {
    caseDb,
    report,
    audit: (action, target, detail) => appendAudit(caseDb.db, cliActor(), action, target, detail),
    close() {
      caseDb.close();
      lock.release();
    },
  };
}

/**
 * For commands that only need to read but log what they did (backup, audit export): under the
 * lock when it is free; else read-only beside the running NeedMap, the audit entry journaled.
 */
export function openForReadingAudited(dbFile: string, key: Buffer | undefined, purpose: string): CliDatabase {
  try {
    return openLocked(dbFile, key, acquireDatabaseLock(dbFile, purpose));
  } catch (error) {
    if (!(error instanceof DatabaseInUseError)) throw error;
  }
  const caseDb = open(dbFile, key, true);
  return {
    caseDb,
    report: null,
    audit: (action, target, detail) => journalAudit(dbFile, { ...cliActor(), action, target, detail: { ...detail, whileInUse: true } }),
    close: () => caseDb.close(),
  };
}
