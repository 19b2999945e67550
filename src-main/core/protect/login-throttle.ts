/**
 * Throttling failed logins, per username and overall: the first few failures cost nothing, then
 * each one makes the next attempt wait longer (1 s, 2 s, 4 s… up to a minute), and enough of them
 * lock that username (or, overall, every login) for a while. An attempt made while waiting is
 * refused without looking at the password, so waiting cannot be skipped by guessing faster.
 * The same rules apply to usernames that exist and ones that do not. Pure: the caller passes `now`.
 */

export interface ThrottlePolicy {
  /** Failures within the window that cost no wait. */
  freeFailures: number;
  /** This many failures within the window lock for `lockMs`. */
  lockAfter: number;
  lockMs: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
  /** The longest wait between attempts before the lock. */
  maxDelayMs: number;
}

export const PER_USERNAME_POLICY: ThrottlePolicy = { freeFailures: 3, lockAfter: 10, lockMs: 15 * 60_000, windowMs: 15 * 60_000, maxDelayMs: 60_000 };
export const OVERALL_POLICY: ThrottlePolicy = { freeFailures: 20, lockAfter: 100, lockMs: 10 * 60_000, windowMs: 10 * 60_000, maxDelayMs: 30_000 };

export interface ThrottleRefusal {
  scope: 'username' | 'overall';
  /** Whole seconds until the next attempt is accepted. */
  retryAfterSeconds: number;
  /** True when this is the temporary lock rather than a growing delay. */
  locked: boolean;
}

interface KeyState {
  /** Times of recent failures, oldest first (at most lockAfter kept). */
  failures: number[];
  blockedUntil: number;
  locked: boolean;
  /** Refusals since the last one that was recorded in the audit log (see noteRefusal). */
  refusalsUnrecorded: number;
  lastRecordedRefusal: number;
}

/** The wait after the n-th failure in the window (n counted from 1), in ms. */
export function delayAfter(policy: ThrottlePolicy, failures: number): number {
  if (failures >= policy.lockAfter) return policy.lockMs;
  if (failures <= policy.freeFailures) return 0;
  return Math.min(1000 * 2 ** (failures - policy.freeFailures - 1), policy.maxDelayMs);
}

/** Audit entries for refused attempts: at most one per throttled key per minute, carrying the count. */
export const REFUSAL_RECORD_INTERVAL_MS = 60_000;
const MAX_USERNAMES = 5000;
/** Username keys are prefixed, so no typed username can be the overall key. */
const OVERALL_KEY = 'overall';

export class LoginThrottle {
  private readonly states = new Map<string, KeyState>();

  constructor(
    private readonly perUsername: ThrottlePolicy = PER_USERNAME_POLICY,
    private readonly overall: ThrottlePolicy = OVERALL_POLICY,
  ) {}

  /** Null when an attempt for this username may be checked now; else why not and for how long. */
  check(username: string, now: number): ThrottleRefusal | null {
    for (const [key, scope] of [
      [OVERALL_KEY, 'overall'],
      [userKey(username), 'username'],
    ] as const) {
      const state = this.states.get(key);
      if (state && state.blockedUntil > now) {
        return { scope, retryAfterSeconds: Math.ceil((state.blockedUntil - now) / 1000), locked: state.locked };
      }
    }
    return null;
  }

  recordFailure(username: string, now: number): void {
    this.fail(OVERALL_KEY, this.overall, now);
    this.fail(userKey(username), this.perUsername, now);
  }

  /** A successful login clears that username's failures (not the overall count). */
  recordSuccess(username: string): void {
    this.states.delete(userKey(username));
  }

  /**
   * Counts a refused attempt; says whether to write an audit entry for it now (the first refusal,
   * then at most one a minute) and how many refusals that entry stands for. Floods of refused
   * attempts thus cost a line a minute, not one each, and none goes uncounted.
   */
  noteRefusal(username: string, scope: ThrottleRefusal['scope'], now: number): { record: boolean; refusals: number } {
    const state = this.states.get(scope === 'overall' ? OVERALL_KEY : userKey(username));
    if (!state) return { record: true, refusals: 1 };
    state.refusalsUnrecorded++;
    if (now - state.lastRecordedRefusal < REFUSAL_RECORD_INTERVAL_MS) return { record: false, refusals: 0 };
    const refusals = state.refusalsUnrecorded;
    state.refusalsUnrecorded = 0;
    state.lastRecordedRefusal = now;
    return { record: true, refusals };
  }

  private fail(key: string, policy: ThrottlePolicy, now: number): void {
    let state = this.states.get(key);
    if (!state) {
      if (this.states.size >= MAX_USERNAMES) this.forgetOldest();
      state = { failures: [], blockedUntil: 0, locked: false, refusalsUnrecorded: 0, lastRecordedRefusal: -Infinity };
      this.states.set(key, state);
    }
    // A lock that has run out starts the count afresh.
    if (state.locked && state.blockedUntil <= now) {
      state.failures = [];
      state.locked = false;
    }
    state.failures = state.failures.filter((t) => now - t < policy.windowMs);
    state.failures.push(now);
    if (state.failures.length > policy.lockAfter) state.failures.shift();
    const wait = delayAfter(policy, state.failures.length);
    state.locked = state.failures.length >= policy.lockAfter;
    state.blockedUntil = Math.max(state.blockedUntil, now + wait);
  }

  private forgetOldest(): void {
    let oldestKey: string | null = null;
    let oldestTime = Infinity;
    for (const [key, state] of this.states) {
      const last = state.failures.at(-1) ?? 0;
      if (key !== OVERALL_KEY && last < oldestTime) [oldestKey, oldestTime] = [key, last];
    }
    if (oldestKey !== null) this.states.delete(oldestKey);
  }
}

function userKey(username: string): string {
  return `user:${username.trim().toLowerCase()}`;
}

/** "14 min 30 s", "45 s": the time left, for the login screen and messages. */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}
