/** Subject access request: everything held about one client, with who recorded what. */
import { eq, inArray } from 'drizzle-orm';
import { getClientDetail } from '../recording.ts';
import type { CaseDb } from '../open.ts';
import { auditLog, users } from '../schema.ts';

export function subjectAccess(db: CaseDb, clientId: number) {
  const { client, contactRows, issueRows, eventRows } = getClientDetail(db, clientId);
  const userIds = [
    client.createdBy,
    client.updatedBy,
    ...contactRows.map((c) => c.createdBy),
    ...issueRows.map((i) => i.createdBy),
    ...eventRows.map((e) => e.recordedBy),
  ].filter((id): id is number => id !== null);
  const staff = new Map(
    (userIds.length
      ? db
          .select({ id: users.id, username: users.username, displayName: users.displayName })
          .from(users)
          .where(inArray(users.id, [...new Set(userIds)]))
          .all()
      : []
    ).map((u) => [u.id, `${u.displayName} (${u.username})`]),
  );
  const who = (id: number | null) => (id === null ? null : (staff.get(id) ?? `user ${id}`));
  const { recordKey: _internal, ...clientFields } = client;
  return {
    generatedAt: new Date().toISOString(),
    client: { ...clientFields, createdBy: who(client.createdBy), updatedBy: who(client.updatedBy) },
    contacts: contactRows.map((c) => ({ ...c, createdBy: who(c.createdBy) })),
    issues: issueRows.map((i) => ({
      ...i,
      createdBy: who(i.createdBy),
      events: eventRows.filter((e) => e.clientIssueId === i.id).map((e) => ({ ...e, recordedBy: who(e.recordedBy) })),
    })),
    /** Who viewed or changed this record, from the audit log. */
    accessLog: db
      .select({ at: auditLog.at, username: auditLog.username, action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.target, `client:${clientId}`))
      .orderBy(auditLog.id)
      .all(),
  };
}
