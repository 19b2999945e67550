/**
 * Everything the organisation holds about its clients, for leaving NeedMap or analysing it
 * elsewhere: one CSV per table (clients, contacts, issues, status history, referrals), `records`
 * (one row per status change with its client, contact and issue — the shape `needmap import`
 * reads back, so an export imports into an empty database as the same records) and `columns`
 * (what every column holds and its personal-data class). Or all of them as sheets of one XLSX
 * workbook; or the CSVs and the workbook in an AES-256 encrypted ZIP. The columns come from the
 * tables' classing (db/schema.ts) and the import targets (core/import/targets.ts), so a new
 * field is exported without a change here. Personal data: admin only, audited by the callers.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { getTableColumns } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { toCsv, type CsvCell } from '../core/csv.ts';
import { IMPORT_TARGETS, type ImportTarget } from '../core/import/targets.ts';
import { classingOf } from './classing.ts';
import type { CaseDatabase } from './open.ts';
import { clientIssues, clients, contacts, issueStatusEvents } from './schema.ts';

export interface ExportColumn {
  name: string;
  description: string;
  /** identifying / special / not-personal. */
  personalData: string;
}

export interface ExportTable {
  /** File (name.csv) and sheet name. */
  name: string;
  about: string;
  columns: ExportColumn[];
  rows: CsvCell[][];
}

type Raw = Record<string, unknown>;

function sqlValue(value: unknown): CsvCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return String(value);
}

/** The columns of a table as exported: every classed column but internal ones (the record key); staff columns name the account. */
function tableColumns(table: SQLiteTable) {
  return classingOf(table).columns.filter((c) => !c.classing.internal);
}

function fromTable(caseDb: CaseDatabase, table: SQLiteTable, name: string, about: string, staff: Map<number, string>): ExportTable {
  const columns = tableColumns(table);
  const booleans = new Set(Object.entries(getTableColumns(table)).flatMap(([key, c]) => (c.dataType === 'boolean' ? [key] : [])));
  const sqlName = classingOf(table).name;
  const rows = (
    caseDb.sqlite
      .prepare(`SELECT ${columns.map((c) => `"${c.name}"`).join(', ')} FROM "${sqlName}" ORDER BY id`)
      .raw()
      .all() as unknown[][]
  ).map((row) =>
    row.map((value, i) => {
      const c = columns[i]!;
      if (c.classing.staff) return typeof value === 'number' ? (staff.get(value) ?? `user ${value}`) : null;
      if (booleans.has(c.key) && typeof value === 'number') return value === 1;
      return sqlValue(value);
    }),
  );
  return {
    name,
    about,
    columns: columns.map((c) => ({
      name: c.name,
      description: c.classing.staff ? `${c.classing.label} (staff username)` : c.classing.label,
      personalData: c.classing.class,
    })),
    rows,
  };
}

const REFERRAL_COLUMNS: ExportColumn[] = [
  { name: 'id', description: 'referral number (the status change that referred the issue)', personalData: 'not-personal' },
  { name: 'client_issue_id', description: 'issue record number', personalData: 'not-personal' },
  { name: 'client_id', description: 'client record number', personalData: 'not-personal' },
  { name: 'issue_code', description: 'issue presented (from the issue taxonomy)', personalData: 'special' },
  { name: 'within_remit', description: 'within the organisation’s remit', personalData: 'not-personal' },
  { name: 'referred_on', description: 'date referred', personalData: 'not-personal' },
  { name: 'referred_to', description: 'referral destination (the issue’s latest)', personalData: 'identifying' },
  { name: 'note', description: 'status change note', personalData: 'identifying' },
];

function referrals(caseDb: CaseDatabase): ExportTable {
  const rows = caseDb.sqlite
    .prepare(
      `SELECT e.id, e.client_issue_id, ci.client_id, ci.issue_code, ci.within_remit, e.changed_on, ci.referred_to, e.note
         FROM issue_status_events e JOIN client_issues ci ON ci.id = e.client_issue_id
        WHERE e.status = 'referred' ORDER BY e.id`,
    )
    .raw()
    .all() as unknown[][];
  return {
    name: 'referrals',
    about: 'One row per referral: each time an issue’s status became “referred”.',
    columns: REFERRAL_COLUMNS,
    rows: rows.map((r) => r.map((v, i) => (i === 4 ? v === 1 : sqlValue(v)))),
  };
}

/** The flat sheet: one row per status change (or per contact without issues, or client without contacts), in the import's own columns. */
function records(caseDb: CaseDatabase): ExportTable {
  const targets = IMPORT_TARGETS.filter((t) => t.key !== 'client.fullName' && t.key !== 'client.nhsNumber');
  const all = (sql: string) => caseDb.sqlite.prepare(sql).all() as Raw[];
  const byId = <T extends Raw>(rows: T[], key: string) => {
    const out = new Map<unknown, T[]>();
    for (const r of rows) (out.get(r[key]) ?? out.set(r[key], []).get(r[key])!).push(r);
    return out;
  };
  const camel = (table: SQLiteTable) =>
    Object.entries(getTableColumns(table))
      .map(([key, c]) => `"${c.name}" AS "${key}"`)
      .join(', ');
  const clientRows = all(`SELECT ${camel(clients)} FROM clients ORDER BY id`);
  const contactsOf = byId(all(`SELECT ${camel(contacts)} FROM contacts ORDER BY client_id, contact_date, id`), 'clientId');
  const issuesOf = byId(all(`SELECT ${camel(clientIssues)} FROM client_issues ORDER BY contact_id, id`), 'contactId');
  const eventsOf = byId(all(`SELECT ${camel(issueStatusEvents)} FROM issue_status_events ORDER BY client_issue_id, changed_on, id`), 'clientIssueId');
  const value = (t: ImportTarget, client: Raw, contact?: Raw, issue?: Raw, event?: Raw): CsvCell => {
    const from = (row: Raw | undefined, key: string) => {
      const v = row?.[key];
      return typeof v === 'number' && (key === 'withinRemit' || key === 'consentToRecord') ? v === 1 : sqlValue(v);
    };
    if (t.key === 'link.clientRef') return from(client, 'id');
    if (t.key === 'link.contactRef') return from(contact, 'id');
    if (t.group === 'client') return from(client, t.field!);
    if (t.group === 'contact') return from(contact, t.field!);
    if (t.group === 'issue') return from(issue, t.field!);
    return from(event, t.field!);
  };
  const rows: CsvCell[][] = [];
  for (const client of clientRows) {
    const contactList = contactsOf.get(client.id) ?? [];
    if (contactList.length === 0) rows.push(targets.map((t) => value(t, client)));
    for (const contact of contactList) {
      const issueList = issuesOf.get(contact.id) ?? [];
      if (issueList.length === 0) rows.push(targets.map((t) => value(t, client, contact)));
      for (const issue of issueList) for (const event of eventsOf.get(issue.id) ?? []) rows.push(targets.map((t) => value(t, client, contact, issue, event)));
    }
  }
  return {
    name: 'records',
    about:
      'One row per status change of an issue, with its client, contact and issue (a contact without issues, or a client without contacts, has one row). `needmap import` reads it back.',
    columns: targets.map((t) => ({ name: t.header, description: t.label, personalData: 'see the table it comes from' })),
    rows,
  };
}

function columnsTable(tables: ExportTable[]): ExportTable {
  return {
    name: 'columns',
    about: 'What every column of every file holds, and whether it is personal data.',
    columns: [
      { name: 'file', description: 'file (or sheet)', personalData: 'not-personal' },
      { name: 'column', description: 'column', personalData: 'not-personal' },
      { name: 'description', description: 'what it holds', personalData: 'not-personal' },
      { name: 'personal_data', description: 'identifying, special (category) or not-personal', personalData: 'not-personal' },
    ],
    rows: tables.flatMap((t) => t.columns.map((c) => [t.name, c.name, c.description, c.personalData])),
  };
}

/** Every table, in the order of the files and sheets. */
export function exportTables(caseDb: CaseDatabase): ExportTable[] {
  const staff = new Map((caseDb.sqlite.prepare('SELECT id, username FROM users').all() as { id: number; username: string }[]).map((u) => [u.id, u.username]));
  const tables = [
    records(caseDb),
    fromTable(caseDb, clients, 'clients', 'One row per client.', staff),
    fromTable(caseDb, contacts, 'contacts', 'One row per contact (appointment, call, visit…).', staff),
    fromTable(caseDb, clientIssues, 'issues', 'One row per issue a client presented with, with its current status.', staff),
    fromTable(caseDb, issueStatusEvents, 'status_history', 'One row per status change of an issue.', staff),
    referrals(caseDb),
  ];
  return [...tables, columnsTable(tables)];
}

export function tableCsv(table: ExportTable): string {
  return toCsv(
    table.columns.map((c) => c.name),
    table.rows,
    { byteOrderMark: true },
  );
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The tables as one XLSX workbook (streamed, so a large organisation's export does not need it all in memory twice). */
export async function workbookBytes(tables: ExportTable[]): Promise<Buffer> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: false, useStyles: true });
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.name);
    sheet.columns = table.columns.map((c) => ({ header: c.name, key: c.name, width: Math.min(40, Math.max(10, c.name.length + 2)) }));
    for (const row of table.rows) {
      const added = sheet.addRow(row.map((v) => (typeof v === 'string' && ISO_DAY.test(v) ? new Date(`${v}T00:00:00Z`) : (v ?? null))));
      added.eachCell((cell) => {
        if (cell.value instanceof Date) cell.numFmt = 'yyyy-mm-dd';
      });
      added.commit();
    }
    sheet.commit();
  }
  await workbook.commit();
  return Buffer.concat(chunks);
}

/** The CSVs and the workbook in a ZIP, AES-256 encrypted with `password` (plain when null). */
export async function zipBytes(tables: ExportTable[], password: string | null): Promise<Buffer> {
  const zip = await import('@zip.js/zip.js');
  zip.configure({ useWebWorkers: false });
  const writer = new zip.ZipWriter(new zip.Uint8ArrayWriter(), password === null ? {} : { password, encryptionStrength: 3 });
  for (const table of tables) await writer.add(`${table.name}.csv`, new zip.TextReader(tableCsv(table)));
  await writer.add('needmap-records.xlsx', new zip.Uint8ArrayReader(new Uint8Array(await workbookBytes(tables))));
  return Buffer.from(await writer.close());
}

export function exportCounts(tables: ExportTable[]): Record<string, number> {
  return Object.fromEntries(tables.filter((t) => t.name !== 'columns').map((t) => [t.name, t.rows.length]));
}
