/**
 * Right to erasure and retention: a client's identifying details — every column classed
 * identifying in their rows (db/schema.ts) — are overwritten for good while the anonymous facts
 * already counted (sector, decile, dates, issues, statuses, record key) stay,
 * so past reports and bundles remain consistent. secure_delete (set at open) zeroes the old
 * bytes in their pages; the WAL is checkpointed and truncated afterwards so no old page image
 * survives there either.
 */
import { and, eq, getTableName, isNull, sql } from 'drizzle-orm';
import { RecordError } from '../../core/errors.ts';
import { retentionCutoff } from '../../core/protect/erasure.ts';
import type { CaseDatabase, CaseDb } from '../open.ts';
import { clients, contacts, issueStatusEvents, retentionRuns } from '../schema.ts';
import { clientTables, erasedValue, identifyingColumns, rowsOfClient } from './personal-data.ts';
import { anonymiseFormerStaff } from './users.ts';
import { appendErasureRegister, reapplyErasureRegister, type ReapplyResult } from './erasure-register.ts';

/**
 * Erases one client inside the caller's transaction: every identifying column of every client
 * table (db/schema.ts classes them) is overwritten in that client's rows — a column classed
 * identifying tomorrow is erased tomorrow, with no list here to update. Returns the rows changed
 * per table (SQL name).
 */
function eraseOne(tx: CaseDb, clientId: number, actor: number | null, now: string): Record<string, number> {
  const client = tx.select({ id: clients.id, erasedAt: clients.erasedAt }).from(clients).where(eq(clients.id, clientId)).get();
  if (!client) throw new RecordError('not_found', `There is no client ${clientId}.`);
  if (client.erasedAt) throw new RecordError('conflict', `Client ${clientId} was already erased on ${client.erasedAt.slice(0, 10)}.`);
  const changed: Record<string, number> = {};
  for (const t of clientTables()) {
    const values = Object.fromEntries(identifyingColumns(t).map((c) => [c.key, erasedValue(c)]));
    if (t.table === clients) Object.assign(values, { erasedAt: now, updatedAt: now, updatedBy: actor });
    if (Object.keys(values).length === 0) continue;
    changed[t.name] = tx.update(t.table).set(values).where(rowsOfClient(t, clientId)).run().changes;
  }
  return changed;
}

/** Flush the WAL into the main file and truncate it, so erased values do not linger in old page images. */
export function purgeWal(caseDb: CaseDatabase): { walTruncated: boolean } {
  const [row] = caseDb.sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
  return { walTruncated: !!row && row.busy === 0 };
}

export interface ErasureResult {
  clientId: number;
  erasedAt: string;
  contactNotesCleared: number;
  statusNotesCleared: number;
  walTruncated: boolean;
}

export function eraseClient(caseDb: CaseDatabase, clientId: number, actor: number | null = null): ErasureResult {
  const now = new Date().toISOString();
  const changed = caseDb.db.transaction((tx) => {
    const db = tx as unknown as CaseDb;
    const erased = eraseOne(db, clientId, actor, now);
    anonymiseFormerStaff(db);
    // In the same transaction: if the register line cannot be written, nothing is erased (a restore must be able to redo it).
    appendErasureRegister(caseDb.file, db, { kind: 'erasure', clientId, at: now });
    return erased;
  });
  const { walTruncated } = purgeWal(caseDb);
  return {
    clientId,
    erasedAt: now,
    contactNotesCleared: changed[getTableName(contacts)] ?? 0,
    statusNotesCleared: changed[getTableName(issueStatusEvents)] ?? 0,
    walTruncated,
  };
}

// ---- retention ----

export interface RetentionCandidate {
  id: number;
  lastContactDate: string;
}

/** Clients not yet erased whose last contact (or, with none, their creation) is before the cut-off. */
export function retentionCandidates(db: CaseDb, cutoff: string): RetentionCandidate[] {
  const last = sql<string>`COALESCE((SELECT MAX(ct.contact_date) FROM contacts ct WHERE ct.client_id = "clients"."id"), substr("clients"."created_at", 1, 10))`;
  return db
    .select({ id: clients.id, lastContactDate: last })
    .from(clients)
    .where(and(isNull(clients.erasedAt), sql`${last} < ${cutoff}`))
    .orderBy(clients.id)
    .all();
}

export function retentionPreview(db: CaseDb, today: string, years: number) {
  const cutoff = retentionCutoff(today, years);
  return { cutoffDate: cutoff, policyYears: years, clients: retentionCandidates(db, cutoff) };
}

/**
 * Anonymises exactly the previewed set: if the set due now differs from what the admin saw and
 * confirmed, nothing is done and they are asked to preview again. Logged in retention_runs.
 */
export function retentionApply(
  caseDb: CaseDatabase,
  input: { today: string; years: number; confirmedClientIds: number[] },
  actor: number | null = null,
): { runId: number; anonymised: number; cutoffDate: string; walTruncated: boolean } {
  const now = new Date().toISOString();
  const result = caseDb.db.transaction((tx) => {
    const db = tx as unknown as CaseDb;
    const { cutoffDate, clients: due } = retentionPreview(db, input.today, input.years);
    const dueIds = due.map((c) => c.id);
    const confirmed = [...new Set(input.confirmedClientIds)].sort((a, b) => a - b);
    if (dueIds.length !== confirmed.length || dueIds.some((id, i) => id !== confirmed[i])) {
      throw new RecordError('conflict', 'The clients due for anonymisation changed since the preview; please preview again.');
    }
    for (const id of dueIds) eraseOne(db, id, actor, now);
    anonymiseFormerStaff(db);
    const run = tx
      .insert(retentionRuns)
      .values({ ranAt: now, userId: actor, policyYears: input.years, cutoffDate, clientIds: JSON.stringify(dueIds), anonymised: dueIds.length })
      .returning({ id: retentionRuns.id })
      .get();
    appendErasureRegister(caseDb.file, db, { kind: 'retention', at: now, userId: actor, policyYears: input.years, cutoffDate, clientIds: dueIds });
    return { runId: run.id, anonymised: dueIds.length, cutoffDate };
  });
  return { ...result, ...purgeWal(caseDb) };
}

export function retentionLog(db: CaseDb) {
  return db
    .select()
    .from(retentionRuns)
    .orderBy(sql`${retentionRuns.id} DESC`)
    .all()
    .map((r) => ({
      id: r.id,
      ranAt: r.ranAt,
      userId: r.userId,
      policyYears: r.policyYears,
      cutoffDate: r.cutoffDate,
      anonymised: r.anonymised,
      clientIds: JSON.parse(r.clientIds) as number[],
    }));
}

/**
 * Re-applies the erasure register beside the database (see erasure-register.ts): after a restore,
 * and at every open for writing, so nobody erased comes back. The WAL is truncated afterwards.
 */
export function reapplyErasures(caseDb: CaseDatabase): ReapplyResult {
  const result = reapplyErasureRegister(caseDb.file, caseDb.sqlite, caseDb.db, (tx, clientId, at) => void eraseOne(tx, clientId, null, at));
  if (result.reapplied.length > 0) {
    caseDb.db.transaction((tx) => void anonymiseFormerStaff(tx as unknown as CaseDb));
    purgeWal(caseDb);
  }
  return result;
}
