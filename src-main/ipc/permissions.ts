/**
 * Who may make which call: THE one place roles are enforced (dispatch asks `checkPermission`
 * before any handler runs, so hiding a button in the UI is never the only protection).
 * caseworker: records; manager: plus reports and exports; admin: plus users, settings, erasure.
 */
import type { CallError } from './contract.ts';
import { roleAllows, type Role } from '../core/records/staff-account.ts';
import type { AppContext } from './context.ts';
import type { CallerSession } from './sessions.ts';
import { readProtectSettings } from '../db/protect/settings.ts';
import { userCount } from '../db/protect/users.ts';
import { isLocked, lockedCaseDatabase } from '../db/locked.ts';
import { appendAudit } from '../db/protect/audit.ts';
import { deviceDetail } from './audit.ts';

/** Calls that work with nobody logged in (the first-run wizard and the login screen). */
export const PUBLIC_CALLS: ReadonlySet<string> = new Set(['app.info', 'auth.status', 'auth.setupAdmin', 'auth.login', 'office.connection', 'office.connect']);

/** What still works while an encrypted database is locked (closed, its key not in memory). */
const LOCKED_CALLS: ReadonlySet<string> = new Set(['app.info', 'auth.status', 'auth.login', 'office.connection']);

/**
 * With nobody logged in — in any session — an encrypted database is closed and its key dropped
 * from memory; the next login opens it again from that user's key slot. Called by dispatch after
 * every call and by the transports' idle sweep.
 */
export function closeIfNobodyLoggedIn(ctx: AppContext): void {
  if (ctx.sessions.anyLoggedIn() || !ctx.dataKey || !ctx.openCaseDb || isLocked(ctx.caseDb)) return;
  ctx.caseDb.close();
  ctx.caseDb = lockedCaseDatabase(ctx.caseDb.file);
  ctx.dataKey.fill(0);
  ctx.dataKey = null;
}

/** Minimum role by exact call name or by prefix ending in "."; anything not listed needs a caseworker. */
export const MINIMUM_ROLE: Readonly<Record<string, Role>> = {
  'reports.': 'manager',
  'map.': 'manager',
  'bundle.': 'manager',
  'area.': 'manager',
  'users.': 'admin',
  'settings.': 'admin',
  'protect.': 'admin',
  'office.': 'admin',
  'geo.import': 'admin',
  'import.': 'admin',
  'records.': 'admin',
  'geo.recomputeClients': 'admin',
};

export function minimumRole(name: string): Role {
  if (MINIMUM_ROLE[name]) return MINIMUM_ROLE[name];
  let best: { prefix: string; role: Role } | null = null;
  for (const [prefix, role] of Object.entries(MINIMUM_ROLE)) {
    if (prefix.endsWith('.') && name.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { prefix, role };
  }
  return best?.role ?? 'caseworker';
}

/**
 * Auto-lock: ends every session's login that has been idle longer than the setting (each audited
 * in that user's name), then closes an encrypted database if that left nobody logged in. Returns
 * the sessions it locked. dispatch runs it before every call; the transports also every half minute.
 */
export function autoLockIdleSessions(ctx: AppContext, now = Date.now()): CallerSession[] {
  if (isLocked(ctx.caseDb)) return [];
  const loggedIn = ctx.sessions.all().filter((s) => s.user !== null);
  if (loggedIn.length === 0) return [];
  const minutes = readProtectSettings(ctx.caseDb.db).autoLockMinutes;
  const idle = loggedIn.filter((s) => now - s.lastActivity > minutes * 60_000);
  for (const session of idle) {
    appendAudit(ctx.caseDb.db, { userId: session.user!.userId, username: session.user!.username }, 'auth.autoLock', null, deviceDetail(session.device));
    session.logOut();
  }
  if (idle.length > 0) closeIfNobodyLoggedIn(ctx);
  return idle;
}

const LOGIN_REQUIRED: CallError = { code: 'forbidden', message: 'Please log in.', fieldErrors: {}, reason: 'login-required' };

/** "Please log in", or, for someone whose login the office server could not bring back after restarting, log in to carry on. */
function loginRequiredFor(caller: CallerSession): CallError {
  if (!caller.resumeAs) return LOGIN_REQUIRED;
  return { ...LOGIN_REQUIRED, reason: 'server-restarted', message: 'The office server restarted: log in again to carry on where you were.' };
}

/** null when the call may go ahead; else the CallError to return (code 'forbidden', with a reason for the UI). */
export function checkPermission(name: string, ctx: AppContext, caller: CallerSession): CallError | null {
  if (PUBLIC_CALLS.has(name)) return null;
  if (!caller.user) {
    if (userCount(ctx.caseDb.db) === 0) return { ...LOGIN_REQUIRED, reason: 'setup-required' };
    return loginRequiredFor(caller);
  }
  const needed = minimumRole(name);
  if (!roleAllows(caller.user.role, needed)) {
    return {
      code: 'forbidden',
      message: `Only ${needed === 'admin' ? 'an admin' : 'a manager or admin'} can do this (${name}); you are logged in as a ${caller.user.role}.`,
      fieldErrors: {},
      reason: 'role',
    };
  }
  return null;
}

/**
 * dispatch's gate, before any handler: auto-lock idle sessions (audited), then check the caller's
 * login and role. Refreshes the caller's idle timer on every permitted call while logged in.
 */
export function guardCall(name: string, ctx: AppContext, caller: CallerSession): CallError | null {
  autoLockIdleSessions(ctx);
  if (isLocked(ctx.caseDb)) return LOCKED_CALLS.has(name) ? null : loginRequiredFor(caller);
  const refused = checkPermission(name, ctx, caller);
  if (!refused && caller.user) caller.lastActivity = Date.now();
  return refused;
}

/**
 * What a session from another PC (through the office server) may not do, whatever its role: name
 * files and folders on the server PC (restore from, import from, write to, back up into), or
 * share the database and let new PCs in. Each returns why, for a plain refusal; the admin does
 * these at the server PC itself.
 */
const SERVER_PC_ONLY: Readonly<Record<string, (input: Record<string, unknown>) => string | null>> = {
  'geo.import': () => 'Importing reference data reads files on the office server PC',
  'protect.restorePreview': () => 'Restoring a backup reads a file on the office server PC',
  'protect.restore': () => 'Restoring a backup reads a file on the office server PC',
  'protect.settings': (input) => (input.backupDir !== undefined ? 'The backup folder is a folder on the office server PC' : null),
  'area.import': (input) => (Array.isArray(input.paths) && input.paths.length > 0 ? 'Importing by file path reads files on the office server PC' : null),
  'area.exportOpenData': (input) => (input.outDir !== undefined ? 'Writing to a folder writes on the office server PC' : null),
  'bundle.export': (input) => (input.path !== undefined ? 'Writing the bundle to a path writes on the office server PC' : null),
  'office.share': () => 'Sharing the database with the office',
  'office.approveDevice': () => 'Approving a PC',
};

/** null, or the refusal for a call from another PC that only the office server PC itself may make (after its input is parsed). */
export function checkServerPcOnly(name: string, input: unknown, caller: CallerSession): CallError | null {
  if (caller.via !== 'office') return null;
  const reason = SERVER_PC_ONLY[name]?.((input ?? {}) as Record<string, unknown>);
  if (!reason) return null;
  return { code: 'forbidden', message: `${reason}: an admin does this on the office server PC itself.`, fieldErrors: {}, reason: 'server-pc-only' };
}
