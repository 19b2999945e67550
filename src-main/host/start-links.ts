/**
 * Start links for the browser host: `http://127.0.0.1:PORT/?token=…`. Each token works once — the
 * page exchanges it for its own session secret (see server.ts) — and for a limited time; opening a
 * used one shows how to get a new one. Tokens are kept as SHA-256 digests only.
 */
import { createHash, randomBytes } from 'node:crypto';

/** An unused link stops working after this long. */
export const START_LINK_LIFETIME_MS = 30 * 60_000;
const MAX_OUTSTANDING = 20;
const MAX_REMEMBERED_USED = 200;

export type StartLinkState = 'valid' | 'used' | 'expired' | 'unknown';

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class StartLinks {
  private readonly outstanding = new Map<string, number>(); // digest → expires at
  private readonly used = new Set<string>();

  issue(now = Date.now()): string {
    for (const [d, expires] of this.outstanding) if (expires <= now) this.outstanding.delete(d);
    if (this.outstanding.size >= MAX_OUTSTANDING) this.outstanding.delete(this.outstanding.keys().next().value!);
    const token = randomBytes(24).toString('base64url');
    this.outstanding.set(digest(token), now + START_LINK_LIFETIME_MS);
    return token;
  }

  state(token: string, now = Date.now()): StartLinkState {
    if (typeof token !== 'string' || token.length === 0 || token.length > 200) return 'unknown';
    const d = digest(token);
    if (this.used.has(d)) return 'used';
    const expires = this.outstanding.get(d);
    if (expires === undefined) return 'unknown';
    return expires > now ? 'valid' : 'expired';
  }

  /** Uses the token up: true once for a valid token, false ever after. */
  consume(token: string, now = Date.now()): boolean {
    if (this.state(token, now) !== 'valid') return false;
    const d = digest(token);
    this.outstanding.delete(d);
    this.used.add(d);
    if (this.used.size > MAX_REMEMBERED_USED) this.used.delete(this.used.values().next().value!);
    return true;
  }
}
