/**
 * Rate limits for the office server's pairing door: a PC on the network may make only a few
 * pairing requests (and failed device checks) in a while, and all of them together only a few
 * more, so nobody can fill the admin's approval list or guess device secrets. Sliding window,
 * pure: the caller passes `now`.
 */

export interface AttemptPolicy {
  /** Attempts allowed within the window. */
  limit: number;
  windowMs: number;
}

/** Per remote address: 5 in 10 minutes. */
export const PER_ADDRESS_PAIRING: AttemptPolicy = { limit: 5, windowMs: 10 * 60_000 };
/** Across all addresses: 30 in 10 minutes. */
export const OVERALL_PAIRING: AttemptPolicy = { limit: 30, windowMs: 10 * 60_000 };

const MAX_KEYS = 2000;

export class AttemptLimiter {
  private readonly byKey = new Map<string, number[]>();
  private overall: number[] = [];

  constructor(
    private readonly perKey: AttemptPolicy = PER_ADDRESS_PAIRING,
    private readonly all: AttemptPolicy = OVERALL_PAIRING,
  ) {}

  /** Seconds to wait before `key` may try again, or 0 when it may now. Does not count as an attempt. */
  retryAfterSeconds(key: string, now = Date.now()): number {
    const mine = recent(this.byKey.get(key) ?? [], this.perKey.windowMs, now);
    this.overall = recent(this.overall, this.all.windowMs, now);
    const wait = Math.max(waitFor(mine, this.perKey, now), waitFor(this.overall, this.all, now));
    return Math.ceil(wait / 1000);
  }

  /** Counts one attempt by `key`. */
  note(key: string, now = Date.now()): void {
    if (!this.byKey.has(key) && this.byKey.size >= MAX_KEYS) this.byKey.delete(this.byKey.keys().next().value!);
    this.byKey.set(key, [...recent(this.byKey.get(key) ?? [], this.perKey.windowMs, now), now]);
    this.overall.push(now);
  }
}

function recent(times: number[], windowMs: number, now: number): number[] {
  return times.filter((t) => now - t < windowMs);
}

/** With the window full, the wait until its oldest attempt leaves it. */
function waitFor(times: number[], policy: AttemptPolicy, now: number): number {
  if (times.length < policy.limit) return 0;
  return times[times.length - policy.limit]! + policy.windowMs - now;
}
