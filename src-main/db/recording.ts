/**
 * Reading and writing the recording core: clients, contacts, presented issues and their status
 * history. Every write that touches more than one row runs in one transaction.
 */
import { randomInt } from 'node:crypto';
import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { findProbableDuplicates, normaliseExternalId, type DuplicateCandidate } from '../core/duplicates.ts';
import type { ClientGeography } from '../core/geography.ts';
import { statusChangeError, type IssueStatus } from '../core/issue-status.ts';
import type { ClientFields } from '../core/records/client.ts';
import type { RecordedIssue, StatusChange } from '../core/records/client-issue.ts';
import type { ContactFields } from '../core/records/contact.ts';
import { RecordError } from '../core/errors.ts';
import type { CaseDb } from './open.ts';
import { clientIssues, clients, contacts, issueStatusEvents } from './schema.ts';

function clientRow(fields: ClientFields, geography: ClientGeography) {
  return {
    ...fields,
    externalId: fields.externalId ? normaliseExternalId(fields.externalId) : null,
    ...geography,
  };
}

/** A fresh random record key for cell-key perturbation (see docs/bundle-format.md). */
export function newRecordKey(): number {
  return randomInt(0, 2 ** 31);
}

// `actor` (issue 7): the logged-in staff user's id, stored as who created/changed/recorded; null when unknown.
export function insertClient(db: CaseDb, fields: ClientFields, geography: ClientGeography, actor: number | null = null): number {
  const row = db
    .insert(clients)
    .values({ ...clientRow(fields, geography), recordKey: newRecordKey(), createdBy: actor, updatedBy: actor })
    .returning({ id: clients.id })
    .get();
  return row.id;
}

export function updateClient(db: CaseDb, id: number, fields: ClientFields, geography: ClientGeography, actor: number | null = null): void {
  const result = db
    .update(clients)
    .set({ ...clientRow(fields, geography), updatedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`, updatedBy: actor })
    .where(eq(clients.id, id))
    .run();
  if (result.changes === 0) throw new RecordError('not_found', `There is no client ${id}.`);
}

// Correlated subqueries spelt out in SQL: drizzle would leave the inner columns unqualified.
const lastContactDate = sql<string | null>`(SELECT MAX(ct.contact_date) FROM contacts ct WHERE ct.client_id = "clients"."id")`;
const openIssueCount = sql<number>`(SELECT COUNT(*) FROM client_issues ci WHERE ci.client_id = "clients"."id" AND ci.status NOT IN ('resolved','closed_unresolved'))`;

const summaryColumns = {
  id: clients.id,
  firstName: clients.firstName,
  lastName: clients.lastName,
  dateOfBirth: clients.dateOfBirth,
  postcode: clients.postcode,
  postcodeSector: clients.postcodeSector,
  externalId: clients.externalId,
  lastContactDate,
  openIssues: openIssueCount,
};

/** Escape LIKE wildcards so a search for "50%" matches literally. */
function likeContains(text: string): string {
  return '%' + text.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

/** Search by name (any order of words), external ID or postcode; empty query lists recent clients. */
export function searchClients(db: CaseDb, query: string, limit: number, offset: number) {
  const words = query.split(/\s+/).filter(Boolean);
  const conditions = words.map((word) => {
    const like = likeContains(word);
    const compact = likeContains(word.replace(/\s/g, '').toUpperCase());
    return or(
      sql`${clients.firstName} LIKE ${like} ESCAPE '\\'`,
      sql`${clients.lastName} LIKE ${like} ESCAPE '\\'`,
      sql`${clients.externalId} LIKE ${compact} ESCAPE '\\'`,
      sql`REPLACE(${clients.postcode}, ' ', '') LIKE ${compact} ESCAPE '\\'`,
    );
  });
  // A whole postcode typed with its space ("PR1 2AB") should match too.
  const whole = query.trim().length > 0 ? sql`${clients.postcode} = ${query.trim().toUpperCase()}` : undefined;
  const where = conditions.length ? or(and(...conditions), whole) : undefined;
  const total =
    db
      .select({ n: sql<number>`count(*)` })
      .from(clients)
      .where(where)
      .get()?.n ?? 0;
  const items = db.select(summaryColumns).from(clients).where(where).orderBy(desc(clients.updatedAt), desc(clients.id)).limit(limit).offset(offset).all();
  return { total, items };
}

export function clientSummaries(db: CaseDb, ids: number[]) {
  if (ids.length === 0) return [];
  return db.select(summaryColumns).from(clients).where(inArray(clients.id, ids)).all();
}

export function findDuplicates(
  db: CaseDb,
  candidate: { firstName: string; lastName: string; dateOfBirth: string; externalId: string | null },
  excludeId: number | null = null,
): DuplicateCandidate[] {
  const externalId = candidate.externalId ? normaliseExternalId(candidate.externalId) : null;
  // Only people sharing the date of birth or the external ID can match: both are indexed.
  const pool = db
    .select({
      id: clients.id,
      firstName: clients.firstName,
      lastName: clients.lastName,
      dateOfBirth: clients.dateOfBirth,
      externalId: clients.externalId,
    })
    .from(clients)
    .where(or(eq(clients.dateOfBirth, candidate.dateOfBirth), externalId ? eq(clients.externalId, externalId) : undefined))
    .all()
    .filter((p) => p.id !== excludeId);
  return findProbableDuplicates(candidate, pool);
}

export function getClientDetail(db: CaseDb, id: number) {
  const client = db.select().from(clients).where(eq(clients.id, id)).get();
  if (!client) throw new RecordError('not_found', `There is no client ${id}.`);
  const contactRows = db.select().from(contacts).where(eq(contacts.clientId, id)).orderBy(desc(contacts.contactDate), desc(contacts.id)).all();
  const issueRows = db.select().from(clientIssues).where(eq(clientIssues.clientId, id)).orderBy(desc(clientIssues.identifiedOn), asc(clientIssues.id)).all();
  const eventRows = issueRows.length
    ? db
        .select()
        .from(issueStatusEvents)
        .where(
          inArray(
            issueStatusEvents.clientIssueId,
            issueRows.map((i) => i.id),
          ),
        )
        .orderBy(asc(issueStatusEvents.changedOn), asc(issueStatusEvents.id))
        .all()
    : [];
  return { client, contactRows, issueRows, eventRows };
}

export function recordContact(
  db: CaseDb,
  input: ContactFields & { clientId: number; issues: RecordedIssue[] },
  actor: number | null = null,
): { contactId: number; clientIssueIds: number[] } {
  return db.transaction((tx) => {
    const client = tx.select({ id: clients.id }).from(clients).where(eq(clients.id, input.clientId)).get();
    if (!client) throw new RecordError('not_found', `There is no client ${input.clientId}.`);
    const contact = tx
      .insert(contacts)
      .values({
        clientId: input.clientId,
        contactDate: input.contactDate,
        kind: input.kind,
        staffName: input.staffName,
        note: input.note,
        createdBy: actor,
      })
      .returning({ id: contacts.id })
      .get();
    const clientIssueIds = input.issues.map((issue) => {
      // An issue outside remit that was referred on starts life as "referred".
      const status: IssueStatus = !issue.withinRemit && issue.referredTo ? 'referred' : 'identified';
      const row = tx
        .insert(clientIssues)
        .values({
          clientId: input.clientId,
          contactId: contact.id,
          issueCode: issue.issueCode,
          withinRemit: issue.withinRemit,
          referredTo: issue.referredTo,
          status,
          identifiedOn: input.contactDate,
          statusChangedOn: input.contactDate,
          createdBy: actor,
        })
        .returning({ id: clientIssues.id })
        .get();
      tx.insert(issueStatusEvents).values({ clientIssueId: row.id, status: 'identified', changedOn: input.contactDate, recordedBy: actor }).run();
      if (status === 'referred') {
        tx.insert(issueStatusEvents)
          .values({ clientIssueId: row.id, status, changedOn: input.contactDate, note: `Referred to ${issue.referredTo}`, recordedBy: actor })
          .run();
      }
      return row.id;
    });
    tx.update(clients)
      .set({ updatedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))` })
      .where(eq(clients.id, input.clientId))
      .run();
    return { contactId: contact.id, clientIssueIds };
  });
}

export function changeIssueStatus(
  db: CaseDb,
  input: StatusChange & { clientIssueId: number },
  actor: number | null = null,
): { status: IssueStatus; statusChangedOn: string } {
  return db.transaction((tx) => {
    const issue = tx.select().from(clientIssues).where(eq(clientIssues.id, input.clientIssueId)).get();
    if (!issue) throw new RecordError('not_found', `There is no recorded issue ${input.clientIssueId}.`);
    const problem = statusChangeError({ status: issue.status, changedOn: issue.statusChangedOn }, { status: input.status, changedOn: input.changedOn });
    if (problem) {
      const field = input.changedOn < issue.statusChangedOn ? 'changedOn' : 'status';
      throw new RecordError('invalid_input', problem, { [field]: [problem] });
    }
    tx.insert(issueStatusEvents)
      .values({ clientIssueId: issue.id, status: input.status, changedOn: input.changedOn, note: input.note, recordedBy: actor })
      .run();
    tx.update(clientIssues)
      .set({
        status: input.status,
        statusChangedOn: input.changedOn,
        ...(input.status === 'referred' ? { referredTo: input.referredTo } : {}),
      })
      .where(eq(clientIssues.id, issue.id))
      .run();
    tx.update(clients)
      .set({ updatedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))` })
      .where(eq(clients.id, issue.clientId))
      .run();
    return { status: input.status, statusChangedOn: input.changedOn };
  });
}
