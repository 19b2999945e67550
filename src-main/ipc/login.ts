/**
 * Logging in, hardened: attempts are throttled per username and overall (a refused attempt is not
 * even checked); an unknown username costs the same Argon2id work as a wrong password, so the
 * answer and its timing never tell which usernames exist; and every failure is audited — without
 * the password, and with the username only when it names an account (a password typed into the
 * username box is never logged) — into the journal beside the database while it is locked.
 * Login state goes to the calling session only.
 */
import { formatWait, type ThrottleRefusal } from '../core/protect/login-throttle.ts';
import { hasUserSlot, unlockWithSecret } from '../db/key-slots.ts';
import { isLocked } from '../db/locked.ts';
import { maybeDailyBackup } from '../db/protect/auto-backup.ts';
import { authenticate, isActiveUsername, type UserRow } from '../db/protect/users.ts';
import { deviceDetail, writeAudit } from './audit.ts';
import type { CallError } from './contract.ts';
import type { AppContext, Session } from './context.ts';
import type { CallerSession } from './sessions.ts';

export const WRONG_LOGIN = 'That username and password do not match an active account.';

/** A refused login: the CallError for the screen. Its audit entry is written before it is thrown. */
export class LoginRefused extends Error {
  override name = 'LoginRefused';
  constructor(readonly callError: CallError) {
    super(callError.message);
  }
}

function throttled(refusal: ThrottleRefusal): CallError {
  const wait = formatWait(refusal.retryAfterSeconds);
  const what = refusal.scope === 'overall' ? 'on this NeedMap' : 'for this username';
  const message = refusal.locked
    ? `Too many failed log-in attempts ${what}: logging in is locked for ${wait}.`
    : `Too many failed log-in attempts ${what}: please wait ${wait} before trying again.`;
  return { code: 'forbidden', message, fieldErrors: {}, reason: 'throttled', retryAfterSeconds: refusal.retryAfterSeconds };
}

function isKnownUsername(ctx: AppContext, username: string): boolean {
  return isLocked(ctx.caseDb) ? hasUserSlot(ctx.caseDb.file, username) : isActiveUsername(ctx.caseDb.db, username);
}

function auditFailure(ctx: AppContext, caller: CallerSession, username: string, known: boolean, detail: Record<string, unknown>): void {
  writeAudit(ctx, { userId: null, username: known ? username : null }, 'auth.loginFailed', null, {
    ...detail,
    ...(known ? {} : { unknownUsername: true }),
    via: caller.via,
    ...deviceDetail(caller.device),
    ...(isLocked(ctx.caseDb) ? { whileLocked: true } : {}),
  });
}

/** Checks the password (opening a locked database with that user's key slot). Same work whether or not the username exists. */
function verify(ctx: AppContext, username: string, password: string): UserRow | null {
  if (isLocked(ctx.caseDb) && ctx.openCaseDb) {
    const key = unlockWithSecret(ctx.caseDb.file, password, username);
    if (!key) return null;
    ctx.caseDb = ctx.openCaseDb(key);
    ctx.dataKey = key;
  }
  return authenticate(ctx.caseDb.db, username, password);
}

export function logIn(ctx: AppContext, caller: CallerSession, username: string, password: string, now = Date.now()): Session {
  const refusal = ctx.loginThrottle.check(username, now);
  if (refusal) {
    const note = ctx.loginThrottle.noteRefusal(username, refusal.scope, now);
    if (note.record) {
      auditFailure(ctx, caller, username, isKnownUsername(ctx, username), { reason: 'throttled', scope: refusal.scope, refusals: note.refusals });
    }
    throw new LoginRefused(throttled(refusal));
  }
  const user = verify(ctx, username, password);
  if (!user) {
    const known = isKnownUsername(ctx, username);
    ctx.loginThrottle.recordFailure(username, now);
    auditFailure(ctx, caller, username, known, { reason: known ? 'wrong-password' : 'unknown-username' });
    const wait = ctx.loginThrottle.check(username, now);
    throw new LoginRefused({
      code: 'invalid_input',
      message: wait ? `${WRONG_LOGIN} ${throttled(wait).message}` : WRONG_LOGIN,
      fieldErrors: { password: [WRONG_LOGIN] },
      ...(wait ? { reason: 'throttled' as const, retryAfterSeconds: wait.retryAfterSeconds } : {}),
    });
  }
  ctx.loginThrottle.recordSuccess(username);
  caller.logIn({ userId: user.id, username: user.username, role: user.role }, now);
  // A login is when an encrypted database can be read again: the moment to catch up on the daily backup.
  maybeDailyBackup(ctx);
  return caller.user!;
}
