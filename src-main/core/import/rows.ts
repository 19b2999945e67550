/**
 * Each row of a sheet read into the records it holds — a client, and when the row has any, a
 * contact with its issues and their status — checked by the records' own input schemas
 * (core/records), exactly as a form's input is; or refused, with the row number, the column, the
 * value and the reason for every problem.
 */
import { z } from 'zod';
import type { IssueStatus } from '../issue-status.ts';
import { ClientInput, type ClientFields } from '../records/client.ts';
import { RecordedIssueInput, StatusChangeInput } from '../records/client-issue.ts';
import { contactRecord, type ContactFields } from '../records/contact.ts';
import type { Taxonomy } from '../taxonomy.ts';
import { codesOf } from './issue-phrases.ts';
import { BUILT_IN_DEFAULTS, IGNORE_COLUMN, type ImportMapping } from './mapping.ts';
import { IMPORT_TARGETS, targetOf } from './targets.ts';
import { isBlank, readCell, shownValue, type CellValue, type ReadOptions, type Sheet, type SheetRow } from './values.ts';

export interface Refusal {
  row: number;
  column: string;
  value: string;
  reason: string;
}

export interface AmbiguousDate {
  row: number;
  column: string;
  value: string;
  readAs: string;
  otherReading: string;
}

export interface RowStatus {
  status: IssueStatus;
  changedOn: string;
  note: string;
  /** The sheet has a status note column (so its note counts even when blank). */
  noteGiven?: boolean;
}

export interface RowRecord {
  row: number;
  clientRef: string | null;
  contactRef: string | null;
  client: ClientFields;
  contact: ContactFields | null;
  issues: { codes: string[]; withinRemit: boolean; referredTo: string | null };
  status: RowStatus | null;
}

export interface RowsRead {
  records: RowRecord[];
  refusals: Refusal[];
  ambiguous: AmbiguousDate[];
  /** Rows with nothing in any mapped column: not counted, not refused. */
  blankRows: number;
}

const DEFAULT_COLUMN = (label: string) => `(default for ${label})`;

/** Where each value came from: a column's header, or the default. */
type Values = Map<string, { value: string | boolean; column: string; shown: string; fromDefault: boolean }>;

function zodMessages(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** One row's values by target, or its refusals. */
function readValues(row: SheetRow, columns: [number, string, string][], mapping: ImportMapping, options: ReadOptions, dates: DateTracking) {
  const { ambiguous, settled } = dates;
  const values: Values = new Map();
  const refusals: Refusal[] = [];
  const unreadable = new Set<string>();
  for (const [index, header, key] of columns) {
    const cell: CellValue = row.cells[index] ?? null;
    if (isBlank(cell)) continue;
    const target = targetOf(key);
    const read = readCell(cell, target, options);
    if (!read.ok) {
      refusals.push({ row: row.row, column: header, value: shownValue(cell), reason: `${target.label}: ${read.reason}` });
      unreadable.add(key);
      continue;
    }
    if (read.alternative) ambiguous.push({ row: row.row, column: header, value: shownValue(cell), readAs: String(read.value), otherReading: read.alternative });
    if (read.settlesOrder) settled.add(header);
    values.set(key, { value: read.value, column: header, shown: shownValue(cell), fromDefault: false });
  }
  const defaults = { ...BUILT_IN_DEFAULTS, ...mapping.defaults };
  for (const [key, text] of Object.entries(defaults)) {
    if (values.has(key) || text.trim() === '') continue;
    const target = targetOf(key);
    const read = readCell(text, target, options);
    if (!read.ok) refusals.push({ row: row.row, column: DEFAULT_COLUMN(target.label), value: text, reason: `${target.label}: ${read.reason}` });
    else values.set(key, { value: read.value, column: DEFAULT_COLUMN(target.label), shown: text, fromDefault: true });
  }
  return { values, refusals, unreadable };
}

/** Ambiguous dates found, and the columns whose day/month order a value settled (their dates are not ambiguous). */
interface DateTracking {
  ambiguous: AmbiguousDate[];
  settled: Set<string>;
}

/** "Smith, Anna" or "Anna Maria Smith" → first and last names; null when there is only one word. */
export function splitFullName(full: string): { firstName: string; lastName: string } | null {
  const comma = /^([^,]+),\s*(.+)$/.exec(full.trim());
  if (comma) return { firstName: comma[2]!.trim(), lastName: comma[1]!.trim() };
  const words = full.trim().split(/\s+/);
  if (words.length < 2) return null;
  return { firstName: words.slice(0, -1).join(' '), lastName: words.at(-1)! };
}

function readRow(
  row: SheetRow,
  columns: [number, string, string][],
  mapping: ImportMapping,
  taxonomy: Taxonomy,
  chosen: ReadonlyMap<string, string | null>,
  options: ReadOptions,
  dates: DateTracking,
): RowRecord | Refusal[] {
  const { values, refusals, unreadable } = readValues(row, columns, mapping, options, dates);
  const get = (key: string) => values.get(key)?.value;
  const columnOf = (key: string) => values.get(key)?.column ?? DEFAULT_COLUMN(targetOf(key).label);
  const shownOf = (key: string) => values.get(key)?.shown ?? '';
  const refuse = (key: string, reason: string) => refusals.push({ row: row.row, column: columnOf(key), value: shownOf(key), reason });
  /** A record's own message, saying so when the sheet has no value for the field at all. */
  const refuseField = (key: string, message: string) => {
    if (unreadable.has(key)) return; // already refused with the reason it could not be read
    const label = targetOf(key).label;
    // zod's own wording for a missing value ("Invalid input: expected string, received undefined") says nothing to a user.
    const why = /received undefined/.test(message) ? 'it is needed' : message;
    refuse(key, values.has(key) ? `${label}: ${message}` : `${label}: not in the sheet (${why}) — map a column or give a default.`);
  };

  // The client: its record's fields, from a full name and an NHS number where the sheet has those instead.
  const client: Record<string, unknown> = {};
  const source: Record<string, string> = {};
  for (const t of IMPORT_TARGETS.filter((t) => t.group === 'client' && t.field)) {
    const v = get(t.key);
    if (v !== undefined) {
      client[t.field!] = v;
      source[t.field!] = t.key;
    }
  }
  const full = get('client.fullName');
  if (typeof full === 'string' && (client.firstName === undefined || client.lastName === undefined)) {
    const split = splitFullName(full);
    if (!split) refuse('client.fullName', 'A full name needs a first and a last name.');
    else {
      client.firstName ??= split.firstName;
      client.lastName ??= split.lastName;
      source.firstName ??= 'client.fullName';
      source.lastName ??= 'client.fullName';
    }
  }
  const nhs = get('client.nhsNumber');
  if (typeof nhs === 'string') {
    if (client.externalId !== undefined && client.externalId !== nhs)
      refuse('client.nhsNumber', 'The row has an NHS number and another external ID: NeedMap keeps one.');
    client.externalId = nhs;
    client.externalIdType = 'nhs';
    source.externalId = source.externalIdType = 'client.nhsNumber';
  }
  const contactDate = get('contact.contactDate');
  if (client.consentDate === undefined && typeof contactDate === 'string') {
    client.consentDate = contactDate;
    source.consentDate = 'contact.contactDate';
  }
  if (client.firstName === undefined && client.lastName === undefined && !values.has('client.fullName')) source.firstName = 'client.fullName';
  const parsedClient = ClientInput.safeParse(client);
  if (!parsedClient.success) for (const { path, message } of zodMessages(parsedClient.error)) refuseField(source[path] ?? `client.${path}`, message);

  // The contact, when the row has anything about one (or about its issues).
  const hasContact = [...values.entries()].some(([key, v]) => !v.fromDefault && /^(contact|issue|status)\./.test(key));
  let contact: ContactFields | null = null;
  if (hasContact) {
    const candidate: Record<string, unknown> = {};
    for (const t of IMPORT_TARGETS.filter((t) => t.group === 'contact' && t.field)) if (get(t.key) !== undefined) candidate[t.field!] = get(t.key);
    const parsed = contactRecord.input.safeParse(candidate);
    if (parsed.success) contact = parsed.data;
    else for (const { path, message } of zodMessages(parsed.error)) refuseField(`contact.${path}`, message);
  }

  // Its issues, in the sheet's words, matched to the taxonomy.
  const issueText = get('issue.issueCode');
  const codes: string[] = [];
  if (typeof issueText === 'string') {
    const found = codesOf(issueText, taxonomy, chosen);
    codes.push(...found.codes);
    for (const phrase of found.unmatched) refuse('issue.issueCode', `"${phrase}" is not matched to an issue: choose one or mark it "not an issue".`);
  }
  const referredTo = (get('issue.referredTo') as string | undefined) ?? null;
  const withinRemit = (get('issue.withinRemit') as boolean | undefined) ?? referredTo === null;
  if (codes.length > 0) {
    const check = RecordedIssueInput.safeParse({ issueCode: codes[0], withinRemit, referredTo });
    if (!check.success) refuse('issue.referredTo', `${targetOf('issue.referredTo').label}: ${check.error.issues[0]!.message}`);
  }

  let status: RowStatus | null = null;
  const noteMapped = columns.some(([, , key]) => key === 'status.note');
  const statusValue = get('status.status');
  if (statusValue !== undefined) {
    const changedOn = (get('status.changedOn') as string | undefined) ?? contact?.contactDate;
    const parsed = StatusChangeInput.safeParse({ status: statusValue, changedOn, note: get('status.note') ?? '', referredTo: referredTo ?? null });
    if (codes.length === 0) refuse('status.status', 'A status needs an issue on the same row.');
    else if (!parsed.success)
      for (const { path, message } of zodMessages(parsed.error))
        refuse(path === 'changedOn' ? 'status.changedOn' : path === 'referredTo' ? 'issue.referredTo' : 'status.status', message);
    else if (contact && parsed.data.changedOn < contact.contactDate)
      refuse('status.changedOn', `The status date is before the contact date (${contact.contactDate}).`);
    else status = { status: parsed.data.status, changedOn: parsed.data.changedOn, note: parsed.data.note, noteGiven: noteMapped };
  }

  if (refusals.length > 0 || !parsedClient.success) return refusals;
  const text = (key: string) => {
    const v = get(key);
    return typeof v === 'string' && v.trim() !== '' && !values.get(key)!.fromDefault ? v.trim() : null;
  };
  return {
    row: row.row,
    clientRef: text('link.clientRef'),
    contactRef: text('link.contactRef'),
    client: parsedClient.data,
    contact,
    issues: { codes, withinRemit, referredTo },
    status,
  };
}

/** Every row of the sheet read under `columns` (header → target key); `chosen` gives each issue phrase's code (or not-an-issue / null). */
export function readRows(
  sheet: Sheet,
  columns: Record<string, string>,
  mapping: ImportMapping,
  taxonomy: Taxonomy,
  chosen: ReadonlyMap<string, string | null>,
  today?: Date,
): RowsRead {
  const mapped = sheet.headers
    .map((header, index) => [index, header, columns[header] ?? IGNORE_COLUMN] as [number, string, string])
    .filter(([, , key]) => key !== IGNORE_COLUMN);
  const options: ReadOptions = { dateOrder: mapping.dateOrder, date1904: sheet.date1904, ...(today ? { today } : {}) };
  const out: RowsRead = { records: [], refusals: [], ambiguous: [], blankRows: 0 };
  const dates: DateTracking = { ambiguous: [], settled: new Set() };
  for (const row of sheet.rows) {
    if (mapped.every(([index]) => isBlank(row.cells[index] ?? null))) {
      out.blankRows += 1;
      continue;
    }
    const read = readRow(row, mapped, mapping, taxonomy, chosen, options, dates);
    if (Array.isArray(read)) out.refusals.push(...read);
    else out.records.push(read);
  }
  out.ambiguous = dates.ambiguous.filter((a) => !dates.settled.has(a.column));
  return out;
}
