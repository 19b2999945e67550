/**
 * The audit log's hash chain: each entry's hash is SHA-256 over the canonical JSON (RFC 8785) of
 * its content and the previous entry's hash, so editing, inserting or removing any entry breaks
 * every hash after it. Pure; the table lives in src-main/db/protect/audit.ts.
 */
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditContent {
  id: number;
  at: string;
  userId: number | null;
  username: string | null;
  action: string;
  target: string | null;
  detail: string;
}

export interface AuditEntry extends AuditContent {
  prevHash: string;
  hash: string;
}

export function auditHash(content: AuditContent, prevHash: string): string {
  const canonical = canonicalize({ ...content, prevHash });
  if (canonical === undefined) throw new Error('Audit entry could not be serialised.');
  return crypto.createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export type ChainCheck = { ok: true; entries: number } | { ok: false; entries: number; firstBadId: number; reason: string };

/** Walks the entries in id order; the first that does not follow from its predecessor is named. */
export function verifyAuditChain(entries: Iterable<AuditEntry>): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedId: number | null = null;
  let count = 0;
  for (const entry of entries) {
    count++;
    if (expectedId !== null && entry.id !== expectedId) {
      return { ok: false, entries: count, firstBadId: entry.id, reason: `entry ${expectedId} is missing (the next is ${entry.id})` };
    }
    if (entry.prevHash !== prev) {
      return { ok: false, entries: count, firstBadId: entry.id, reason: 'it does not follow from the entry before it (an entry was removed or changed)' };
    }
    const { prevHash: _p, hash, ...content } = entry;
    if (auditHash(content, prev) !== hash) {
      return { ok: false, entries: count, firstBadId: entry.id, reason: 'its content does not match its hash (it was edited)' };
    }
    prev = hash;
    expectedId = entry.id + 1;
  }
  return { ok: true, entries: count };
}
