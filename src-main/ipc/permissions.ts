/**
 * Who may make which call: THE one place roles are enforced (dispatch asks `checkPermission`
 * before any handler runs, so hiding a button in the UI is never the only protection).
 * caseworker: records; manager: plus reports and exports; admin: plus users, settings, erasure.
 */
import type { CallError } from './contract.ts';
import type { AppContext, Role } from './context.ts';
import { readProtectSettings } from '../db/protect/settings.ts';
import { userCount } from '../db/protect/users.ts';
import { isLocked, lockedCaseDatabase } from '../db/locked.ts';
import { appendAudit } from '../db/protect/audit.ts';

/** Calls that work with nobody logged in (the first-run wizard and the login screen). */
export const PUBLIC_CALLS: ReadonlySet<string> = new Set(['app.info', 'auth.status', 'auth.setupAdmin', 'auth.login']);

/** What still works while an encrypted database is locked (closed, its key not in memory). */
const LOCKED_CALLS: ReadonlySet<string> = new Set(['app.info', 'auth.status', 'auth.login']);

/**
 * With nobody logged in, an encrypted database is closed and its key dropped from memory; the
 * next login opens it again from that user's key slot. Called by dispatch after every call.
 */
export function closeIfNobodyLoggedIn(ctx: AppContext): void {
  if (ctx.session || !ctx.dataKey || !ctx.openCaseDb || isLocked(ctx.caseDb)) return;
  ctx.caseDb.close();
  ctx.caseDb = lockedCaseDatabase(ctx.caseDb.file);
  ctx.dataKey.fill(0);
  ctx.dataKey = null;
}

/** Minimum role by exact call name or by prefix ending in "."; anything not listed needs a caseworker. */
export const MINIMUM_ROLE: Readonly<Record<string, Role>> = {
  'reports.': 'manager',
  'bundle.': 'manager',
  'area.': 'manager',
  'users.': 'admin',
  'settings.': 'admin',
  'protect.': 'admin',
  'geo.import': 'admin',
  'geo.recomputeClients': 'admin',
};

const RANK: Record<Role, number> = { caseworker: 1, manager: 2, admin: 3 };

export function minimumRole(name: string): Role {
  if (MINIMUM_ROLE[name]) return MINIMUM_ROLE[name];
  let best: { prefix: string; role: Role } | null = null;
  for (const [prefix, role] of Object.entries(MINIMUM_ROLE)) {
    if (prefix.endsWith('.') && name.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { prefix, role };
  }
  return best?.role ?? 'caseworker';
}

export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** Ends the session when it has been idle longer than the auto-lock setting. Returns true if it did. */
export function autoLock(ctx: AppContext, now = Date.now()): boolean {
  if (!ctx.session) return false;
  const minutes = readProtectSettings(ctx.caseDb.db).autoLockMinutes;
  if (ctx.lastActivity !== undefined && now - ctx.lastActivity > minutes * 60_000) {
    ctx.session = null;
    return true;
  }
  return false;
}

/** null when the call may go ahead; else the CallError to return (code 'forbidden', with a reason for the UI). */
export function checkPermission(name: string, ctx: AppContext): CallError | null {
  if (PUBLIC_CALLS.has(name)) return null;
  if (!ctx.session) {
    const setup = userCount(ctx.caseDb.db) === 0;
    return { code: 'forbidden', message: 'Please log in.', fieldErrors: {}, reason: setup ? 'setup-required' : 'login-required' };
  }
  const needed = minimumRole(name);
  if (!roleAllows(ctx.session.role, needed)) {
    return {
      code: 'forbidden',
      message: `Only ${needed === 'admin' ? 'an admin' : 'a manager or admin'} can do this (${name}); you are logged in as a ${ctx.session.role}.`,
      fieldErrors: {},
      reason: 'role',
    };
  }
  return null;
}

/**
 * dispatch's gate, before any handler: auto-lock an idle session (audited), then check the
 * caller's role. Refreshes the idle timer on every permitted call of a logged-in user.
 */
export function guardCall(name: string, ctx: AppContext): CallError | null {
  if (isLocked(ctx.caseDb)) {
    return LOCKED_CALLS.has(name) ? null : { code: 'forbidden', message: 'Please log in.', fieldErrors: {}, reason: 'login-required' };
  }
  if (autoLock(ctx)) {
    appendAudit(ctx.caseDb.db, { userId: null, username: null }, 'auth.autoLock');
    closeIfNobodyLoggedIn(ctx);
    return LOCKED_CALLS.has(name) ? null : { code: 'forbidden', message: 'Please log in.', fieldErrors: {}, reason: 'login-required' };
  }
  const refused = checkPermission(name, ctx);
  if (!refused && ctx.session) ctx.lastActivity = Date.now();
  return refused;
}
