/**
 * Writes generated demo clients into a case database quickly (prepared statements, one
 * transaction per batch), deriving each client's geography the same way the app does.
 */
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { DemoClient } from '../core/demo.ts';
import { ClientGeography } from '../core/geography.ts';
import { clientRecord } from '../core/records/client.ts';
import { clientIssueRecord, statusEventRecord } from '../core/records/client-issue.ts';
import { contactRecord } from '../core/records/contact.ts';
import type { CaseDatabase, SqliteDatabase } from './open.ts';
import { clientIssues, clients as clientsTable, contacts as contactsTable, issueStatusEvents } from './schema.ts';

/**
 * A prepared INSERT of `keys` (the table's TypeScript column names) into `table`: takes an object
 * holding at least those keys (others are ignored) and returns the new row's id. Booleans are
 * stored as 0/1.
 */
function inserter<T extends SQLiteTable, K extends keyof T['_']['columns'] & string>(sqlite: SqliteDatabase, table: T, keys: readonly K[]) {
  const columns = getTableColumns(table);
  const names = keys.map((key) => `"${columns[key]!.name}"`);
  const statement = sqlite.prepare(`INSERT INTO "${getTableName(table)}" (${names.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`);
  const args: unknown[] = new Array(keys.length);
  return (values: Record<K, unknown>): number => {
    for (let i = 0; i < keys.length; i++) {
      const value = values[keys[i]!];
      args[i] = typeof value === 'boolean' ? Number(value) : value;
    }
    return Number(statement.run(args).lastInsertRowid);
  };
}

export function writeDemoClients(
  caseDb: CaseDatabase,
  clients: Iterable<DemoClient>,
  geographyOf: (postcode: string | null) => ClientGeography,
  onProgress?: (written: number) => void,
): { clients: number; contacts: number; issues: number; events: number } {
  const { sqlite } = caseDb;
  // Every field of each record (core/records), so a new field needs nothing here.
  const insertClient = inserter(sqlite, clientsTable, [...clientRecord.keys, ...ClientGeography.keyof().options, 'recordKey']);
  const insertContact = inserter(sqlite, contactsTable, [...contactRecord.keys, 'clientId']);
  const insertIssue = inserter(sqlite, clientIssues, [...clientIssueRecord.keys, 'clientId', 'contactId', 'status', 'identifiedOn', 'statusChangedOn']);
  const insertEvent = inserter(sqlite, issueStatusEvents, [...statusEventRecord.keys, 'clientIssueId']);
  const totals = { clients: 0, contacts: 0, issues: 0, events: 0 };

  const writeBatch = sqlite.transaction((batch: DemoClient[]) => {
    for (const client of batch) {
      const clientId = insertClient({ ...client, ...geographyOf(client.postcode) });
      totals.clients++;
      for (const contact of client.contacts) {
        const contactId = insertContact({ ...contact, clientId });
        totals.contacts++;
        for (const issue of contact.issues) {
          const last = issue.events[issue.events.length - 1];
          const issueId = insertIssue({
            ...issue,
            clientId,
            contactId,
            status: last?.status ?? 'identified',
            identifiedOn: contact.contactDate,
            statusChangedOn: last?.changedOn ?? contact.contactDate,
          });
          totals.issues++;
          insertEvent({ clientIssueId: issueId, status: 'identified', changedOn: contact.contactDate, note: '' });
          for (const event of issue.events) insertEvent({ clientIssueId: issueId, ...event, note: '' });
          totals.events += 1 + issue.events.length;
        }
      }
    }
  });

  let batch: DemoClient[] = [];
  for (const client of clients) {
    batch.push(client);
    if (batch.length === 2000) {
      writeBatch(batch);
      batch = [];
      onProgress?.(totals.clients);
    }
  }
  if (batch.length) writeBatch(batch);
  onProgress?.(totals.clients);
  return totals;
}
