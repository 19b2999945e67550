/**
 * What a spreadsheet column can be imported as: every field of the client, contact, client-issue
 * and status-event records (core/records), derived from those definitions — so a field added to a
 * record is offered by the import (and written by the flat export) without a change here — plus a
 * few forms spreadsheets use instead (a full name, an NHS number, the sheet's own client and
 * contact numbers). Only the wording people use in headers is written out below.
 */
import { z } from 'zod';
import { ISSUE_STATUS_LABELS } from '../issue-status.ts';
import { clientRecord } from '../records/client.ts';
import { clientIssueRecord, statusEventRecord } from '../records/client-issue.ts';
import { contactRecord } from '../records/contact.ts';
import type { RecordDefinition, RecordField } from '../records/record.ts';
import { CONTACT_KIND_LABELS, PREFERRED_CONTACT_LABELS } from '../recording.ts';

export type TargetGroup = 'client' | 'contact' | 'issue' | 'status' | 'link';
export type TargetKind = 'text' | 'date' | 'boolean' | 'choice';

export interface ImportTarget {
  /** `<group>.<field>`, e.g. "client.dateOfBirth". */
  key: string;
  group: TargetGroup;
  /** The record field it fills (for client/contact/issue/status targets that are plain fields). */
  field: string | null;
  label: string;
  /** The flat export's column name, and the first header the import recognises. */
  header: string;
  kind: TargetKind;
  /** For a choice: each stored value and the words that mean it. */
  choices: { value: string; words: string[] }[];
  /** Other header wordings that propose this target. */
  synonyms: string[];
}

/** Header wording and labels, by target key; a field without an entry is called by its own name. */
const WORDING: Record<string, { label?: string; header?: string; synonyms?: string[] }> = {
  'client.firstName': { synonyms: ['forename', 'forenames', 'given name', 'first', 'christian name'] },
  'client.lastName': { label: 'last name (surname)', synonyms: ['surname', 'family name', 'second name', 'last'] },
  'client.fullName': { label: 'full name', header: 'full_name', synonyms: ['name', 'client name', 'client', 'service user', 'clients name'] },
  'client.dateOfBirth': { synonyms: ['dob', 'd o b', 'birth date', 'birthdate', 'born', 'birthday'] },
  'client.postcode': { synonyms: ['post code', 'postal code', 'zip'] },
  'client.nhsNumber': { label: 'NHS number', header: 'nhs_number', synonyms: ['nhs no', 'nhs num', 'nhs'] },
  'client.externalId': { label: 'external ID (NHS number or other)', synonyms: ['id number', 'other id', 'reference number'] },
  'client.externalIdType': { label: 'external ID type (nhs or other)', synonyms: ['id type'] },
  'client.phone': { synonyms: ['telephone', 'tel', 'mobile', 'phone number', 'contact number', 'telephone number', 'mobile number'] },
  'client.email': { synonyms: ['e-mail', 'email address', 'e mail'] },
  'client.preferredContact': { label: 'preferred way to contact', synonyms: ['contact preference', 'preferred contact method'] },
  'client.consentToRecord': { label: 'consent to record', synonyms: ['consent', 'consented', 'gdpr consent', 'consent given'] },
  'client.consentDate': { label: 'date of the consent answer', synonyms: ['date of consent', 'consent given on'] },
  'contact.contactDate': {
    synonyms: ['date', 'date seen', 'appointment date', 'visit date', 'date of contact', 'first seen', 'date of visit', 'seen on'],
  },
  'contact.kind': { label: 'kind of contact', header: 'contact_kind', synonyms: ['contact type', 'type of contact', 'contact method', 'how seen'] },
  'contact.staffName': {
    label: 'staff member who saw the client',
    synonyms: ['staff', 'staff member', 'caseworker', 'case worker', 'adviser', 'advisor', 'worker', 'seen by'],
  },
  'contact.note': { label: 'contact note', header: 'contact_note', synonyms: ['notes', 'note', 'comments', 'case notes', 'comment'] },
  'issue.issueCode': {
    label: 'issue(s), in the sheet’s own words',
    header: 'issue',
    synonyms: ['issues', 'issue code', 'presenting issue', 'presenting issues', 'needs', 'need', 'problem', 'problems', 'reason for contact'],
  },
  'issue.withinRemit': { label: 'within our remit (yes/no)', synonyms: ['in remit', 'remit'] },
  'issue.referredTo': { label: 'referred to', synonyms: ['referral', 'signposted to', 'referred on to', 'referral to', 'referred'] },
  'status.status': { label: 'issue status', header: 'status', synonyms: ['issue status', 'outcome', 'status'] },
  'status.changedOn': {
    label: 'date of the status',
    header: 'status_date',
    synonyms: ['outcome date', 'status changed on', 'date of status', 'status changed'],
  },
  'status.note': { label: 'status note', header: 'status_note', synonyms: ['outcome note', 'status notes'] },
  'link.clientRef': {
    label: 'the sheet’s client number (rows with the same one are one client)',
    header: 'client_id',
    synonyms: ['client ref', 'client reference', 'case id', 'case number', 'client number', 'case ref', 'record number', 'client no'],
  },
  'link.contactRef': {
    label: 'the sheet’s contact number (rows with the same one are one contact)',
    header: 'contact_id',
    synonyms: ['contact ref', 'contact reference', 'appointment id', 'visit id'],
  },
};

/** Words that mean each stored value of a choice, beyond its own name and label. */
const CHOICE_WORDS: Record<string, Record<string, string[]>> = {
  'contact.kind': {
    appointment: ['face to face', 'in person', 'office', 'meeting'],
    phone_call: ['phone', 'telephone', 'call', 'tel'],
    drop_in: ['drop in', 'dropin', 'walk in'],
    home_visit: ['home', 'visit'],
    online: ['video', 'zoom', 'teams', 'web', 'email'],
  },
  'status.status': {
    identified: ['new', 'open', 'opened', 'raised'],
    in_progress: ['ongoing', 'active', 'in hand', 'working on it', 'progress'],
    referred: ['signposted', 'referred on'],
    improved: ['better', 'partly resolved', 'some progress'],
    resolved: ['done', 'complete', 'completed', 'fixed', 'sorted', 'closed resolved'],
    closed_unresolved: ['unresolved', 'closed', 'not resolved', 'withdrawn', 'disengaged'],
  },
  'client.externalIdType': { nhs: ['nhs number'], other: ['other id'] },
};

const LABELS: Record<string, Record<string, string>> = {
  'contact.kind': CONTACT_KIND_LABELS,
  'client.preferredContact': PREFERRED_CONTACT_LABELS,
  'status.status': ISSUE_STATUS_LABELS,
};

/** "dateOfBirth" → "date of birth"; "date_of_birth" likewise. */
export function wordsOf(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
}

const snake = (key: string) => wordsOf(key).replace(/ /g, '_');

/** Lower case, letters and digits only: "D.O.B." and "dob", "First_Name" and "first name" compare equal. */
export function normaliseHeader(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodNullable || s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s;
}

function kindOf(f: RecordField): { kind: TargetKind; values: string[] } {
  if (f.format === 'date') return { kind: 'date', values: [] };
  const stored = unwrap(f.stored);
  if (stored instanceof z.ZodBoolean) return { kind: 'boolean', values: [] };
  if (stored instanceof z.ZodEnum) return { kind: 'choice', values: stored.options.map(String) };
  return { kind: 'text', values: [] };
}

function target(group: TargetGroup, field: string | null, name: string, kind: TargetKind, values: string[] = []): ImportTarget {
  const key = `${group}.${name}`;
  const wording = WORDING[key] ?? {};
  const labels = LABELS[key] ?? {};
  return {
    key,
    group,
    field,
    label: wording.label ?? wordsOf(name),
    header: wording.header ?? snake(name),
    kind,
    choices: values.map((value) => ({
      value,
      words: [value, wordsOf(value), ...(labels[value] ? [labels[value]] : []), ...(CHOICE_WORDS[key]?.[value] ?? [])],
    })),
    synonyms: [wordsOf(name), ...(wording.synonyms ?? [])],
  };
}

function fromRecord<F extends Record<string, RecordField>>(group: TargetGroup, record: RecordDefinition<F>, skip: readonly string[] = []): ImportTarget[] {
  return record.keys
    .filter((k) => !skip.includes(k))
    .map((k) => {
      const { kind, values } = kindOf(record.fields[k]!);
      return target(group, k, k, kind, values);
    });
}

/** Every target, in the order the mapping step lists them. */
export const IMPORT_TARGETS: readonly ImportTarget[] = [
  target('link', null, 'clientRef', 'text'),
  ...fromRecord('client', clientRecord),
  target('client', null, 'fullName', 'text'),
  target('client', null, 'nhsNumber', 'text'),
  target('link', null, 'contactRef', 'text'),
  ...fromRecord('contact', contactRecord),
  target('issue', 'issueCode', 'issueCode', 'text'),
  ...fromRecord('issue', clientIssueRecord, ['issueCode']),
  ...fromRecord('status', statusEventRecord),
];

export const TARGETS_BY_KEY: ReadonlyMap<string, ImportTarget> = new Map(IMPORT_TARGETS.map((t) => [t.key, t]));

export function targetOf(key: string): ImportTarget {
  const found = TARGETS_BY_KEY.get(key);
  if (!found) throw new Error(`There is no import target ${key}.`);
  return found;
}
