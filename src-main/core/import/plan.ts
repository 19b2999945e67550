/**
 * From the rows read to what the import will write: rows of the same person become one client
 * (the sheet's client number, or identical details), possible duplicates — within the sheet and
 * against existing clients — are found with the rules used when a client is entered
 * (core/duplicates.ts) and grouped, each group with its choice (merge, keep separate, skip);
 * a client's rows become its contacts, their issues and each issue's status history.
 */
import { findProbableDuplicates, normaliseExternalId, normaliseName, type DuplicateCandidate, type PersonForMatching } from '../duplicates.ts';
import type { IssueStatus } from '../issue-status.ts';
import type { ClientFields } from '../records/client.ts';
import type { ContactFields } from '../records/contact.ts';
import type { DuplicateChoice, ImportMapping } from './mapping.ts';
import type { RowRecord, RowStatus } from './rows.ts';

export interface PlannedIssue {
  issueCode: string;
  withinRemit: boolean;
  referredTo: string | null;
  /** Status changes after the ones recording the contact makes (identified; referred when outside the remit). */
  changes: RowStatus[];
  /** The sheet's notes for those first status changes, where it has a status note column. */
  initialNotes: { status: IssueStatus; note: string }[];
}

export interface PlannedContact {
  fields: ContactFields;
  issues: PlannedIssue[];
  rows: number[];
}

export interface PlannedClient {
  /** Rows this client's records come from. */
  rows: number[];
  fields: ClientFields;
  /** An existing client the rows are added to (merge), or null for a new client. */
  existingId: number | null;
  contacts: PlannedContact[];
}

export interface DuplicateGroup {
  /** "row-12": the group's first row. */
  id: string;
  /** The people of the sheet in the group, each with its rows. */
  people: { rows: number[]; firstName: string; lastName: string; dateOfBirth: string; externalId: string | null }[];
  /** Existing clients matched, best first. */
  existing: (DuplicateCandidate & { firstName: string; lastName: string; dateOfBirth: string })[];
  proposed: DuplicateChoice;
  choice: DuplicateChoice;
}

export interface ImportPlan {
  clients: PlannedClient[];
  groups: DuplicateGroup[];
  /** Rows left out by a group's "skip". */
  skippedRows: number[];
  /** People whose rows had the same details (or client number) and so are one client each. */
  sameDetailsPeople: number;
}

type Person = { key: string; records: RowRecord[]; client: ClientFields };

function personKey(r: RowRecord): string {
  if (r.clientRef) return `ref:${r.clientRef}`;
  const c = r.client;
  return ['same', normaliseName(c.firstName), normaliseName(c.lastName), c.dateOfBirth, c.externalId ? normaliseExternalId(c.externalId) : ''].join('|');
}

/** Union-find over people (0..n-1) and existing clients (n + position). */
function components(size: number) {
  const parent = Array.from({ length: size }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  return { find, union: (a: number, b: number) => void (parent[find(a)] = find(b)) };
}

function bucketed<T>(items: T[], keysOf: (item: T) => string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  items.forEach((item, i) => keysOf(item).forEach((k) => (out.get(k) ?? out.set(k, []).get(k)!).push(i)));
  return out;
}

const matchKeys = (p: { dateOfBirth: string; externalId: string | null }) => [
  `dob:${p.dateOfBirth}`,
  ...(p.externalId ? [`id:${normaliseExternalId(p.externalId)}`] : []),
];

function contactsOf(records: RowRecord[]): PlannedContact[] {
  const byKey = new Map<string, PlannedContact & { statuses: Map<string, RowStatus[]> }>();
  for (const r of records) {
    if (!r.contact) continue;
    const key = r.contactRef ? `ref:${r.contactRef}` : JSON.stringify([r.contact.contactDate, r.contact.kind, r.contact.staffName, r.contact.note]);
    let contact = byKey.get(key);
    if (!contact) byKey.set(key, (contact = { fields: r.contact, issues: [], rows: [], statuses: new Map() }));
    contact.rows.push(r.row);
    for (const code of r.issues.codes) {
      if (!contact.issues.some((i) => i.issueCode === code))
        contact.issues.push({ issueCode: code, withinRemit: r.issues.withinRemit, referredTo: r.issues.referredTo, changes: [], initialNotes: [] });
      if (r.status) (contact.statuses.get(code) ?? contact.statuses.set(code, []).get(code)!).push(r.status);
    }
  }
  return [...byKey.values()].map(({ statuses, ...contact }) => ({
    ...contact,
    issues: contact.issues.map((issue) => ({ ...issue, ...statusChanges(contact.fields.contactDate, issue, statuses.get(issue.issueCode) ?? []) })),
  }));
}

/**
 * The status changes to record after the contact's own (identified; referred when outside the
 * remit): in date order, each a real change (never the same status twice running); and the
 * sheet's notes for the contact's own, when it has them.
 */
function statusChanges(
  contactDate: string,
  issue: { withinRemit: boolean; referredTo: string | null },
  statuses: RowStatus[],
): Pick<PlannedIssue, 'changes' | 'initialNotes'> {
  const initial: { status: IssueStatus; changedOn: string }[] = [{ status: 'identified', changedOn: contactDate }];
  if (!issue.withinRemit && issue.referredTo) initial.push({ status: 'referred', changedOn: contactDate });
  let last = initial.at(-1)!;
  const changes: RowStatus[] = [];
  const initialNotes: PlannedIssue['initialNotes'] = [];
  const sorted = statuses.map((s, i) => ({ s, i })).sort((a, b) => a.s.changedOn.localeCompare(b.s.changedOn) || a.i - b.i);
  for (const { s } of sorted) {
    const own = changes.length === 0 ? initial.find((e) => e.status === s.status && e.changedOn === s.changedOn) : undefined;
    if (own) {
      if (s.noteGiven && !initialNotes.some((n) => n.status === s.status)) initialNotes.push({ status: s.status, note: s.note });
      continue;
    }
    if (s.status === last.status) continue;
    changes.push(s);
    last = s;
  }
  return { changes, initialNotes };
}

/**
 * The plan for rows read: `existing` are the clients already in the database who share a date of
 * birth or external ID with someone in the sheet (the same pool the duplicate check on entry uses).
 */
export function planImport(records: RowRecord[], existing: PersonForMatching[], mapping: ImportMapping): ImportPlan {
  const people: Person[] = [];
  const byKey = new Map<string, Person>();
  for (const r of records) {
    const key = personKey(r);
    const found = byKey.get(key);
    if (found) found.records.push(r);
    else {
      const person = { key, records: [r], client: r.client };
      byKey.set(key, person);
      people.push(person);
    }
  }
  const sameDetailsPeople = people.filter((p) => p.records.length > 1).length;

  const n = people.length;
  const { find, union } = components(n + existing.length);
  const forMatching = (p: Person, id: number): PersonForMatching => ({ id, ...p.client });
  const sheetBuckets = bucketed(people, (p) => matchKeys(p.client));
  const existingBuckets = bucketed(existing, matchKeys);
  const existingMatches = new Map<number, DuplicateCandidate[]>();
  people.forEach((p, i) => {
    const earlier = new Set(matchKeys(p.client).flatMap((k) => (sheetBuckets.get(k) ?? []).filter((j) => j < i)));
    for (const match of findProbableDuplicates(
      p.client,
      [...earlier].map((j) => forMatching(people[j]!, j)),
    ))
      union(i, match.id);
    const pool = new Set(matchKeys(p.client).flatMap((k) => existingBuckets.get(k) ?? []));
    const found = findProbableDuplicates(
      p.client,
      [...pool].map((j) => ({ ...existing[j]!, id: j })),
    );
    if (found.length) existingMatches.set(i, found);
    for (const match of found) union(i, n + match.id);
  });

  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) (members.get(find(i)) ?? members.set(find(i), []).get(find(i))!).push(i);

  const plan: ImportPlan = { clients: [], groups: [], skippedRows: [], sameDetailsPeople };
  const rowsOf = (p: Person) => p.records.map((r) => r.row);
  const newClient = (ps: Person[], existingId: number | null): PlannedClient => {
    const records = ps.flatMap((p) => p.records).sort((a, b) => a.row - b.row);
    return { rows: records.map((r) => r.row), fields: ps[0]!.client, existingId, contacts: contactsOf(records) };
  };
  for (const indexes of [...members.values()].sort((a, b) => a[0]! - b[0]!)) {
    const ps = indexes.map((i) => people[i]!);
    const matched = new Map<number, DuplicateCandidate>();
    for (const i of indexes)
      for (const m of existingMatches.get(i) ?? []) if (!matched.has(m.id) || matched.get(m.id)!.nameSimilarity < m.nameSimilarity) matched.set(m.id, m);
    if (ps.length === 1 && matched.size === 0) {
      plan.clients.push(newClient(ps, null));
      continue;
    }
    const firstRow = Math.min(...ps.flatMap(rowsOf));
    const id = `row-${firstRow}`;
    const allReferenced = ps.every((p) => p.records[0]!.clientRef !== null);
    const proposed: DuplicateChoice = matched.size === 0 && allReferenced ? 'separate' : 'merge';
    const choice = mapping.duplicates.groups[id] ?? mapping.duplicates.default ?? proposed;
    const existingList = [...matched.values()]
      .sort((a, b) => b.nameSimilarity - a.nameSimilarity)
      .map((m) => ({ ...m, ...pickPerson(existing[m.id]!), id: existing[m.id]!.id }));
    plan.groups.push({
      id,
      people: ps.map((p) => ({
        rows: rowsOf(p),
        firstName: p.client.firstName,
        lastName: p.client.lastName,
        dateOfBirth: p.client.dateOfBirth,
        externalId: p.client.externalId,
      })),
      existing: existingList,
      proposed,
      choice,
    });
    if (choice === 'skip') plan.skippedRows.push(...ps.flatMap(rowsOf));
    else if (choice === 'separate') for (const p of ps) plan.clients.push(newClient([p], null));
    else plan.clients.push(newClient(ps, existingList[0]?.id ?? null));
  }
  plan.skippedRows.sort((a, b) => a - b);
  return plan;
}

function pickPerson(p: PersonForMatching) {
  return { firstName: p.firstName, lastName: p.lastName, dateOfBirth: p.dateOfBirth };
}

export interface PlanCounts {
  clientsCreated: number;
  existingClients: number;
  contacts: number;
  issues: number;
  statusChanges: number;
}

export function countPlan(plan: ImportPlan): PlanCounts {
  const contacts = plan.clients.flatMap((c) => c.contacts);
  const issues = contacts.flatMap((c) => c.issues);
  return {
    clientsCreated: plan.clients.filter((c) => c.existingId === null).length,
    existingClients: new Set(plan.clients.filter((c) => c.existingId !== null).map((c) => c.existingId)).size,
    contacts: contacts.length,
    issues: issues.length,
    statusChanges: issues.reduce((n, i) => n + i.changes.length, 0),
  };
}
