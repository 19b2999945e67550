/**
 * What a running app does every half minute besides answering calls (the browser host and the
 * Electron shell both run it): auto-lock sessions left idle (a closed tab, a window nobody
 * touches), forget long-abandoned sessions, and chain into the audit log any journal entries other
 * programs left meanwhile (e.g. a `needmap backup` made beside the running app).
 */
import { isLocked } from '../db/locked.ts';
import { drainAuditJournal } from '../db/protect/audit-journal.ts';
import { reportInternalError } from '../error-log.ts';
import type { AppContext } from './context.ts';
import { autoLockIdleSessions } from './permissions.ts';

export const HOUSEKEEPING_INTERVAL_MS = 30_000;

export function housekeeping(ctx: AppContext): void {
  try {
    autoLockIdleSessions(ctx);
    ctx.sessions.dropAbandoned();
    if (!isLocked(ctx.caseDb)) drainAuditJournal(ctx.caseDb);
  } catch (error) {
    reportInternalError('housekeeping', error, ctx.errorLogFile);
  }
}

/** Runs housekeeping on a timer that never keeps the process alive by itself; returns a stop function. */
export function startHousekeeping(ctx: AppContext): () => void {
  const timer = setInterval(() => housekeeping(ctx), HOUSEKEEPING_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
