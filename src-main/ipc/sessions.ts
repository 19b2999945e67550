/**
 * Who is calling: one CallerSession per browser tab, Electron window (and, later, per remote PC's
 * person on the office server). Login state lives here, never in the process: two tabs are two
 * sessions, and one logging in logs nobody else in. A transport finds the caller's session from a
 * secret presented with every request (the browser host: a header from the tab's sessionStorage)
 * or from its own channel (Electron: the window that sent the IPC message), then hands it to
 * `dispatch`. The database stays open while anyone is logged in (see permissions.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Session } from './context.ts';

export type SessionVia = 'browser' | 'electron' | 'office' | 'test';

/** The client PC an office session comes from (see src-main/office/devices.ts), named in the audit log. */
export interface SessionDevice {
  id: string;
  name: string;
}

export class CallerSession {
  /** The logged-in staff user, or null (logged out, locked, never logged in). */
  user: Session | null = null;
  /** Date.now() of the last permitted call of the logged-in user, for auto-lock. */
  lastActivity = 0;
  /** Date.now() of the last request of any kind, for dropping abandoned sessions. */
  lastSeen: number;

  constructor(
    readonly via: SessionVia,
    now = Date.now(),
    /** The client PC, for sessions of the office server ('office'); null otherwise. */
    readonly device: SessionDevice | null = null,
  ) {
    this.lastSeen = now;
  }

  /**
   * Who was logged in here before the office server restarted, when their login could not come
   * back (an encrypted database starts locked): they are asked to log in again "to carry on",
   * and their screen keeps what they were doing (see src-main/office/saved-sessions.ts).
   */
  resumeAs: { userId: number; username: string } | null = null;

  logIn(user: Session, now = Date.now()): void {
    this.user = user;
    this.lastActivity = now;
    this.resumeAs = null;
  }

  logOut(): void {
    this.user = null;
    this.resumeAs = null;
  }
}

/** Abandoned sessions (a closed tab) are dropped after this long without any request. */
export const SESSION_IDLE_DROP_MS = 12 * 60 * 60_000;
/** At most this many sessions are kept; beyond it the least recently used logged-out one goes first. */
export const MAX_SESSIONS = 200;

export function sessionDigest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export class SessionStore {
  /** Keyed by the SHA-256 of the secret: the secrets themselves are never kept. */
  private readonly bySecretDigest = new Map<string, CallerSession>();
  private readonly unkeyed = new Set<CallerSession>();

  /** A new session reached by a fresh random secret (the browser host, the office server: with the client PC). */
  open(via: SessionVia, now = Date.now(), device: SessionDevice | null = null): { session: CallerSession; secret: string } {
    this.makeRoom();
    const secret = randomBytes(32).toString('base64url');
    const session = new CallerSession(via, now, device);
    this.bySecretDigest.set(sessionDigest(secret), session);
    return { session, secret };
  }

  /** Puts back a session saved by the office server before it stopped (see office/saved-sessions.ts), under its secret's digest. */
  restore(secretDigest: string, session: CallerSession): void {
    this.makeRoom();
    this.bySecretDigest.set(secretDigest, session);
  }

  /** Sessions reached by a secret, with the secret's digest (what the office server saves). */
  keyed(): [string, CallerSession][] {
    return [...this.bySecretDigest.entries()];
  }

  /** A new session whose transport identifies it without a secret (an Electron window, a test). */
  attach(via: SessionVia, now = Date.now()): CallerSession {
    this.makeRoom();
    const session = new CallerSession(via, now);
    this.unkeyed.add(session);
    return session;
  }

  /** The session a presented secret belongs to, or null (unknown, ended or dropped). */
  find(secret: string, now = Date.now()): CallerSession | null {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > 200) return null;
    const session = this.bySecretDigest.get(sessionDigest(secret)) ?? null;
    if (session) session.lastSeen = now;
    return session;
  }

  end(session: CallerSession): void {
    session.logOut();
    this.unkeyed.delete(session);
    for (const [key, value] of this.bySecretDigest) if (value === session) this.bySecretDigest.delete(key);
  }

  all(): CallerSession[] {
    return [...this.bySecretDigest.values(), ...this.unkeyed];
  }

  anyLoggedIn(): boolean {
    return this.all().some((s) => s.user !== null);
  }

  /** Logged-in sessions other than `except` (e.g. the admin's own, for restore). */
  othersLoggedIn(except: CallerSession): CallerSession[] {
    return this.all().filter((s) => s !== except && s.user !== null);
  }

  /** A role change or a disabled account applies to every session of that user at once. */
  forUser(userId: number): CallerSession[] {
    return this.all().filter((s) => s.user?.userId === userId);
  }

  /** Ends every login (after a restore: the accounts may differ). Sessions stay, logged out. */
  logOutAll(): void {
    for (const s of this.all()) s.logOut();
  }

  /** Drops sessions not seen for SESSION_IDLE_DROP_MS (their logins have long been auto-locked). */
  dropAbandoned(now = Date.now()): void {
    for (const [key, s] of this.bySecretDigest) if (now - s.lastSeen > SESSION_IDLE_DROP_MS) this.bySecretDigest.delete(key);
  }

  private makeRoom(): void {
    this.dropAbandoned();
    if (this.bySecretDigest.size + this.unkeyed.size < MAX_SESSIONS) return;
    // Logged-out sessions go first, then the least recently seen.
    const worse = (a: CallerSession, b: CallerSession) => ((a.user === null) !== (b.user === null) ? a.user === null : a.lastSeen < b.lastSeen);
    let oldest: [string, CallerSession] | null = null;
    for (const entry of this.bySecretDigest) if (!oldest || worse(entry[1], oldest[1])) oldest = entry;
    if (oldest) this.bySecretDigest.delete(oldest[0]);
  }
}
