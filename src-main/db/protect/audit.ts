/** Appending to and reading the hash-chained audit log (chain rules in core/protect/audit.ts). */
import { desc, sql } from 'drizzle-orm';
import { toCsv } from '../../core/csv.ts';
import { auditHash, GENESIS_HASH, verifyAuditChain, type AuditEntry, type ChainCheck } from '../../core/protect/audit.ts';
import type { CaseDatabase, CaseDb } from '../open.ts';
import { auditLog } from '../schema.ts';

export interface AuditActor {
  userId: number | null;
  username: string | null;
}

/** Appends one entry; inside a transaction so two writers can never chain to the same predecessor. */
export function appendAudit(db: CaseDb, actor: AuditActor, action: string, target: string | null = null, detail: Record<string, unknown> = {}): void {
  db.transaction((tx) => {
    const last = tx.select({ id: auditLog.id, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1).get();
    const content = {
      id: (last?.id ?? 0) + 1,
      at: new Date().toISOString(),
      userId: actor.userId,
      username: actor.username,
      action,
      target,
      detail: JSON.stringify(detail),
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    tx.insert(auditLog)
      .values({ ...content, prevHash, hash: auditHash(content, prevHash) })
      .run();
  });
}

export function listAudit(db: CaseDb, options: { limit: number; offset: number; target?: string | undefined }) {
  const where = options.target ? sql`${auditLog.target} = ${options.target}` : undefined;
  const total =
    db
      .select({ n: sql<number>`count(*)` })
      .from(auditLog)
      .where(where)
      .get()?.n ?? 0;
  const entries = db.select().from(auditLog).where(where).orderBy(desc(auditLog.id)).limit(options.limit).offset(options.offset).all();
  return { total, entries };
}

export function verifyAuditLog(caseDb: CaseDatabase): ChainCheck {
  // Streamed in id order, so a long log is checked without loading it all.
  const rows = caseDb.sqlite
    .prepare('SELECT id, at, user_id AS userId, username, action, target, detail, prev_hash AS prevHash, hash FROM audit_log ORDER BY id')
    .iterate() as Iterable<AuditEntry>;
  return verifyAuditChain(rows);
}

export const AUDIT_CSV_HEADER = ['id', 'at', 'user_id', 'username', 'action', 'target', 'detail', 'prev_hash', 'hash'] as const;

/** The whole log as CSV in id order, hashes included, so a copy kept elsewhere can be compared later. */
export function auditCsv(caseDb: CaseDatabase): { csv: string; entries: number } {
  const rows = caseDb.sqlite.prepare('SELECT id, at, user_id, username, action, target, detail, prev_hash, hash FROM audit_log ORDER BY id').raw().all() as (
    string | number | null
  )[][];
  return { csv: toCsv(AUDIT_CSV_HEADER, rows, { byteOrderMark: true }), entries: rows.length };
}
