/**
 * Subject access request: everything held about one client, with who recorded what. Which columns
 * are shown, which are staff ("recorded by" becomes the staff member's name) and what each is
 * called all come from the classing of the client tables (db/schema.ts), so a new column shows up
 * here by itself; only the record key (internal to disclosure control) is left out.
 */
import { eq, inArray } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { classingOf } from '../classing.ts';
import type { CaseDb } from '../open.ts';
import { getClientDetail } from '../recording.ts';
import { auditLog, clientIssues, clients, contacts, issueStatusEvents, users } from '../schema.ts';
import { clientTables } from './personal-data.ts';

type Row = Record<string, unknown>;

/** The staff columns' user ids in `rows` of `table`. */
function staffIds(table: SQLiteTable, rows: Row[]): number[] {
  const keys = classingOf(table)
    .columns.filter((c) => c.classing.staff)
    .map((c) => c.key);
  return rows.flatMap((row) => keys.map((key) => row[key])).filter((id): id is number => typeof id === 'number');
}

/** What each column of a table is called, from its classing. */
function labelsOf(table: SQLiteTable): Record<string, string> {
  return Object.fromEntries(classingOf(table).columns.map((c) => [c.key, c.classing.label]));
}

/** The categories of personal data held about a client (UK GDPR Article 15(1)(b)), from the classing. */
function categoriesHeld() {
  const labels = (cls: string) => [
    ...new Set(clientTables().flatMap((t) => t.columns.filter((c) => c.classing.class === cls && !c.classing.internal).map((c) => c.classing.label))),
  ];
  return { identifying: labels('identifying'), specialCategory: labels('special') };
}

export function subjectAccess(db: CaseDb, clientId: number) {
  const { client, contactRows, issueRows, eventRows } = getClientDetail(db, clientId);
  const ids = [
    ...staffIds(clients, [client]),
    ...staffIds(contacts, contactRows),
    ...staffIds(clientIssues, issueRows),
    ...staffIds(issueStatusEvents, eventRows),
  ];
  const staff = new Map(
    (ids.length
      ? db
          .select({ id: users.id, username: users.username, displayName: users.displayName })
          .from(users)
          .where(inArray(users.id, [...new Set(ids)]))
          .all()
      : []
    ).map((u) => [u.id, `${u.displayName} (${u.username})`]),
  );
  const who = (id: unknown) => (typeof id === 'number' ? (staff.get(id) ?? `user ${id}`) : null);
  /** Every column of the row but internal ones, staff shown by name. */
  const shown = (table: SQLiteTable, row: Row): Row =>
    Object.fromEntries(
      classingOf(table)
        .columns.filter((c) => !c.classing.internal)
        .map((c) => [c.key, c.classing.staff ? who(row[c.key]) : row[c.key]]),
    );
  return {
    generatedAt: new Date().toISOString(),
    client: shown(clients, client),
    contacts: contactRows.map((c) => shown(contacts, c)),
    issues: issueRows.map((i) => ({
      ...shown(clientIssues, i),
      events: eventRows.filter((e) => e.clientIssueId === i.id).map((e) => shown(issueStatusEvents, e)),
    })),
    /** Who viewed or changed this record, from the audit log. */
    accessLog: db
      .select({ at: auditLog.at, username: auditLog.username, action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.target, `client:${clientId}`))
      .orderBy(auditLog.id)
      .all(),
    /** What kinds of personal data NeedMap holds about a client. */
    personalData: categoriesHeld(),
    /** What each field of each section is called, for the printable page. */
    labels: { client: labelsOf(clients), contacts: labelsOf(contacts), issues: labelsOf(clientIssues), events: labelsOf(issueStatusEvents) },
  };
}
