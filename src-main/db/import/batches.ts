/**
 * Writing an import, and undoing one. The plan is written in ONE transaction through the same
 * functions as a caseworker's entries (db/recording.ts: insertClient with the postcode's
 * geography, recordContact, changeIssueStatus), so the report summaries follow as for any entry
 * (a large import into a small database fills them afresh at the end instead, ./summaries.ts),
 * and each record gets the audit entry it would get when entered by hand, plus the
 * batch's own. The transaction yields to the event loop between clients so the progress bar
 * can be polled; while it is open, dispatch refuses other calls (`importUnderWay`). Undo removes
 * the batch whole, unless its records were changed since.
 */
import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { RecordError } from '../../core/errors.ts';
import type { ClientGeography } from '../../core/geography.ts';
import { countPlan } from '../../core/import/plan.ts';
import type { CaseDatabase, CaseDb } from '../open.ts';
import { appendAudit, type AuditActor } from '../protect/audit.ts';
import { changeIssueStatus, insertClient, recordContact } from '../recording.ts';
import { clientIssues, clients, contacts, importBatches, issueStatusEvents, users } from '../schema.ts';
import { saveChoices, type PreparedImport } from './prepare.ts';
import { bypassSummaryTriggers } from './summaries.ts';

export interface ImportProgress {
  done: number;
  total: number;
}

const underWay = new WeakMap<CaseDatabase, ImportProgress>();

/** The import being written into this database, if any (its progress). */
export function importUnderWay(caseDb: CaseDatabase): ImportProgress | null {
  return underWay.get(caseDb) ?? null;
}

const nowSql = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;
const CLIENTS_PER_STEP = 100;

export interface ApplyOptions {
  actor: AuditActor;
  geography: (postcode: string | null) => ClientGeography;
  fileSha256: string;
  onProgress?: (progress: ImportProgress) => void;
}

/** Writes the plan; resolves to the batch id. Nothing is written if anything fails. */
export async function applyImport(caseDb: CaseDatabase, prepared: PreparedImport, options: ApplyOptions): Promise<number> {
  if (underWay.has(caseDb)) throw new RecordError('conflict', 'An import is already being written; wait for it to finish.');
  const { db, sqlite } = caseDb;
  const { plan, report } = prepared;
  const counts = countPlan(plan);
  const actor = options.actor;
  const progress: ImportProgress = { done: 0, total: plan.clients.length };
  underWay.set(caseDb, progress);
  sqlite.exec('BEGIN IMMEDIATE');
  try {
    const batchId = db
      .insert(importBatches)
      .values({ userId: actor.userId, sheet: report.sheet, fileSha256: options.fileSha256, rowsImported: report.rowsImported, ...counts })
      .returning({ id: importBatches.id })
      .get().id;
    const detail = { importBatch: batchId };
    const bypass = bypassSummaryTriggers(sqlite, counts.issues);
    for (const planned of plan.clients) {
      let clientId = planned.existingId;
      if (clientId === null) {
        clientId = insertClient(db, planned.fields, options.geography(planned.fields.postcode), actor.userId);
        db.update(clients).set({ importBatchId: batchId }).where(eq(clients.id, clientId)).run();
        appendAudit(db, actor, 'client.create', `client:${clientId}`, detail);
      }
      for (const contact of planned.contacts) {
        const issues = contact.issues.map((i) => ({ issueCode: i.issueCode, withinRemit: i.withinRemit, referredTo: i.referredTo }));
        const recorded = recordContact(db, { ...contact.fields, clientId, issues }, actor.userId);
        db.update(contacts).set({ importBatchId: batchId }).where(eq(contacts.id, recorded.contactId)).run();
        appendAudit(db, actor, 'contact.record', `client:${clientId}`, { contactId: recorded.contactId, issues: issues.length, ...detail });
        contact.issues.forEach((issue, i) => {
          const clientIssueId = recorded.clientIssueIds[i]!;
          // The sheet's own note for the first status changes (a re-imported export keeps its notes).
          for (const { status, note } of issue.initialNotes) {
            db.update(issueStatusEvents)
              .set({ note })
              .where(and(eq(issueStatusEvents.clientIssueId, clientIssueId), eq(issueStatusEvents.status, status)))
              .run();
          }
          for (const change of issue.changes) {
            changeIssueStatus(db, { clientIssueId, ...change, referredTo: issue.referredTo }, actor.userId);
            appendAudit(db, actor, 'issue.status', `issue:${clientIssueId}`, { status: change.status, ...detail });
          }
        });
      }
      progress.done += 1;
      if (progress.done % CLIENTS_PER_STEP === 0) {
        options.onProgress?.({ ...progress });
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    bypass?.restore();
    db.update(importBatches).set({ finishedAt: nowSql }).where(eq(importBatches.id, batchId)).run();
    appendAudit(db, actor, 'import.apply', `import:${batchId}`, { rows: report.rowsImported, refused: report.rowsRefused, ...counts });
    saveChoices(db, prepared);
    sqlite.exec('COMMIT');
    options.onProgress?.({ ...progress });
    return batchId;
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw error;
  } finally {
    underWay.delete(caseDb);
  }
}

/** The latest imports, newest first, with who made them. */
export function listImports(db: CaseDb) {
  return db
    .select({
      id: importBatches.id,
      importedAt: importBatches.importedAt,
      username: users.username,
      sheet: importBatches.sheet,
      rowsImported: importBatches.rowsImported,
      clientsCreated: importBatches.clientsCreated,
      existingClients: importBatches.existingClients,
      contacts: importBatches.contacts,
      issues: importBatches.issues,
      statusChanges: importBatches.statusChanges,
      undoneAt: importBatches.undoneAt,
    })
    .from(importBatches)
    .leftJoin(users, eq(users.id, importBatches.userId))
    .orderBy(desc(importBatches.id))
    .limit(100)
    .all();
}

/** What was changed since the batch was written: records an undo would also remove. */
function changedSince(db: CaseDb, batchId: number, finishedAt: string): string[] {
  const batchClientIds = sql`(SELECT id FROM clients WHERE import_batch_id = ${batchId})`;
  const changed: string[] = [];
  const edited = db
    .select({ n: sql<number>`count(*)` })
    .from(clients)
    .where(and(eq(clients.importBatchId, batchId), gt(clients.updatedAt, finishedAt)))
    .get()!.n;
  if (edited) changed.push(`${edited} of its clients were changed`);
  const added = db
    .select({ n: sql<number>`count(*)` })
    .from(contacts)
    .where(and(inArray(contacts.clientId, batchClientIds), sql`${contacts.importBatchId} IS NOT ${batchId}`))
    .get()!.n;
  if (added) changed.push(`${added} contacts were recorded for its clients`);
  const statuses = db
    .select({ n: sql<number>`count(*)` })
    .from(issueStatusEvents)
    .innerJoin(clientIssues, eq(clientIssues.id, issueStatusEvents.clientIssueId))
    .innerJoin(contacts, eq(contacts.id, clientIssues.contactId))
    .where(and(eq(contacts.importBatchId, batchId), gt(issueStatusEvents.recordedAt, finishedAt)))
    .get()!.n;
  if (statuses) changed.push(`${statuses} status changes were recorded on its issues`);
  return changed;
}

/** Removes every record the batch wrote, in one transaction, with its own audit entries. */
export function undoImport(db: CaseDb, batchId: number, actor: AuditActor): { clients: number; contacts: number } {
  return db.transaction((tx) => {
    const batch = tx.select().from(importBatches).where(eq(importBatches.id, batchId)).get();
    if (!batch) throw new RecordError('not_found', `There is no import ${batchId}.`);
    if (batch.undoneAt) throw new RecordError('conflict', `Import ${batchId} was already undone on ${batch.undoneAt.slice(0, 10)}.`);
    const changed = changedSince(tx, batchId, batch.finishedAt ?? batch.importedAt);
    if (changed.length) {
      throw new RecordError(
        'conflict',
        `Import ${batchId} cannot be undone whole: since it, ${changed.join(', ')}. Undo would remove that work too; change or remove those records by hand instead.`,
      );
    }
    const removedClients = tx.select({ id: clients.id }).from(clients).where(eq(clients.importBatchId, batchId)).all();
    // Contacts added to existing clients go first; the batch's own clients take theirs with them (cascade).
    const removedContacts = tx.delete(contacts).where(eq(contacts.importBatchId, batchId)).returning({ id: contacts.id }).all().length;
    tx.delete(clients).where(eq(clients.importBatchId, batchId)).run();
    tx.update(importBatches)
      .set({ undoneAt: nowSql, undoneBy: actor.userId })
      .where(and(eq(importBatches.id, batchId), isNull(importBatches.undoneAt)))
      .run();
    for (const c of removedClients) appendAudit(tx, actor, 'client.importUndone', `client:${c.id}`, { importBatch: batchId });
    appendAudit(tx, actor, 'import.undo', `import:${batchId}`, { clients: removedClients.length, contacts: removedContacts });
    return { clients: removedClients.length, contacts: removedContacts };
  });
}
