/**
 * The recording core's part of the contract (see ../contract.ts): clients, contacts, issues.
 * Imports only zod and pure core modules, so the renderer can import it too.
 */
import { z } from 'zod';
import { isoDate, name, optionalText } from '../../core/records/fields.ts';
import { ISSUE_STATUS_VALUES } from '../../core/issue-status.ts';
import { parsePostcode } from '../../core/postcode.ts';
import { CONTACT_KIND_VALUES, PREFERRED_CONTACT_VALUES } from '../../core/recording.ts';
import { isValidNhsNumber } from '../../core/nhs-number.ts';

export const ClientInput = z
  .object({
    firstName: name('first name'),
    lastName: name('last name'),
    dateOfBirth: isoDate.refine((d) => d >= '1900-01-01', { message: 'The date of birth is before 1900.' }),
    postcode: optionalText(12)
      .superRefine((value, ctx) => {
        if (value === null) return;
        const parsed = parsePostcode(value);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
      })
      // Stored in its normal form ("SE13 6AA") whatever the caseworker typed.
      .transform((value) => {
        if (value === null) return null;
        const parsed = parsePostcode(value);
        return parsed.ok ? parsed.postcode : value;
      }),
    externalIdType: z.enum(['nhs', 'other']).nullable().default(null),
    externalId: optionalText(40),
    phone: optionalText(40),
    email: z
      .union([z.literal(''), z.email({ message: 'Enter a valid email address.' })])
      .nullable()
      .default(null)
      .transform((v) => (v === '' ? null : v)),
    preferredContact: z.enum(PREFERRED_CONTACT_VALUES).default('none'),
    consentToRecord: z.boolean({ message: 'Say whether the client consents to their data being recorded.' }),
    consentDate: isoDate,
  })
  .superRefine((c, ctx) => {
    if (c.externalId && !c.externalIdType) {
      ctx.addIssue({ code: 'custom', path: ['externalIdType'], message: 'Choose what kind of ID this is.' });
    }
    if (c.externalIdType === 'nhs' && c.externalId && !isValidNhsNumber(c.externalId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['externalId'],
        message: 'This is not a valid NHS number (10 digits with a correct check digit).',
      });
    }
  });
export type ClientInput = z.input<typeof ClientInput>;

export const ClientSummary = z.object({
  id: z.number().int(),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string(),
  postcode: z.string().nullable(),
  postcodeSector: z.string().nullable(),
  externalId: z.string().nullable(),
  lastContactDate: z.string().nullable(),
  openIssues: z.number().int(),
});
export type ClientSummary = z.infer<typeof ClientSummary>;

export const Geography = z.object({
  postcodeSector: z.string().nullable(),
  postcodeDistrict: z.string().nullable(),
  lsoa: z.string().nullable(),
  imdDecile: z.number().int().min(1).max(10).nullable(),
  imdRank: z.number().int().nullable(),
  imdEdition: z.string().nullable(),
  geoReason: z.string().nullable(),
  /** The postcode's 2021 LSOA and 2022 local authority, and whether its row is official or derived (placed from its centre point). */
  lsoa21: z.string().nullable(),
  localAuthority: z.object({ code: z.string(), name: z.string() }).nullable(),
  geoSource: z.enum(['official', 'derived']).nullable(),
});

export const ClientRecord = z.object({
  id: z.number().int(),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string(),
  postcode: z.string().nullable(),
  externalIdType: z.enum(['nhs', 'other']).nullable(),
  externalId: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  preferredContact: z.enum(PREFERRED_CONTACT_VALUES),
  consentToRecord: z.boolean(),
  consentDate: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  geography: Geography,
});
export type ClientRecord = z.infer<typeof ClientRecord>;

export const StatusEvent = z.object({
  id: z.number().int(),
  status: z.enum(ISSUE_STATUS_VALUES),
  changedOn: z.string(),
  note: z.string(),
});

export const ClientIssue = z.object({
  id: z.number().int(),
  contactId: z.number().int(),
  issueCode: z.string(),
  issueName: z.string(),
  category: z.string(),
  withinRemit: z.boolean(),
  referredTo: z.string().nullable(),
  status: z.enum(ISSUE_STATUS_VALUES),
  identifiedOn: z.string(),
  statusChangedOn: z.string(),
  events: z.array(StatusEvent),
});
export type ClientIssue = z.infer<typeof ClientIssue>;

export const Contact = z.object({
  id: z.number().int(),
  contactDate: z.string(),
  kind: z.enum(CONTACT_KIND_VALUES),
  staffName: z.string(),
  note: z.string(),
  issueIds: z.array(z.number().int()),
});
export type Contact = z.infer<typeof Contact>;

export const DuplicateMatch = z.object({
  client: ClientSummary,
  reason: z.enum(['same-external-id', 'same-dob-similar-name']),
  nameSimilarity: z.number(),
});
export type DuplicateMatch = z.infer<typeof DuplicateMatch>;

export const RecordedIssueInput = z
  .object({
    issueCode: z.string().trim().min(1, { message: 'Choose an issue.' }),
    withinRemit: z.boolean(),
    referredTo: optionalText(200),
  })
  .superRefine((issue, ctx) => {
    if (!issue.withinRemit && issue.referredTo === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['referredTo'],
        message: 'Say where the client was referred (or "not referred").',
      });
    }
  });

const TaxonomyOut = z.object({
  version: z.string(),
  title: z.string(),
  categories: z.array(z.object({ code: z.string(), name: z.string() })),
  issues: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      category: z.string(),
      definition: z.string(),
      synonyms: z.array(z.string()),
      frameworks: z.array(z.string()),
    }),
  ),
});

export const id = z.number({ message: 'An id is required.' }).int().positive();

/** The recording core's calls: clients, contacts, issues and their status. */
export const recordingCalls = {
  'app.info': {
    input: z.object({}),
    output: z.object({
      version: z.string(),
      databaseFile: z.string(),
      taxonomyVersion: z.string(),
      host: z.enum(['electron', 'browser']),
    }),
  },
  'taxonomy.get': { input: z.object({}), output: TaxonomyOut },
  'clients.search': {
    input: z.object({
      query: z.string().trim().max(200).default(''),
      limit: z.number().int().min(1).max(200).default(50),
      offset: z.number().int().min(0).default(0),
    }),
    output: z.object({ total: z.number().int(), items: z.array(ClientSummary) }),
  },
  'clients.get': {
    input: z.object({ id }),
    output: z.object({ client: ClientRecord, contacts: z.array(Contact), issues: z.array(ClientIssue) }),
  },
  'clients.findDuplicates': {
    input: z.object({
      firstName: z.string().trim().max(100),
      lastName: z.string().trim().max(100),
      dateOfBirth: z.string().trim().max(10),
      externalId: z.string().trim().max(40).nullable().default(null),
      excludeId: id.nullable().default(null),
    }),
    output: z.object({ matches: z.array(DuplicateMatch) }),
  },
  'clients.create': {
    input: z.object({
      client: ClientInput,
      /** Set once the user has seen the probable duplicates and chosen to create a new record anyway. */
      confirmedNotDuplicate: z.boolean().default(false),
    }),
    output: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('created'), id: z.number().int() }),
      z.object({ kind: z.literal('possible-duplicates'), matches: z.array(DuplicateMatch) }),
    ]),
  },
  'clients.update': {
    input: z.object({ id, client: ClientInput }),
    output: z.object({ id: z.number().int() }),
  },
  'contacts.record': {
    input: z.object({
      clientId: id,
      contactDate: isoDate,
      kind: z.enum(CONTACT_KIND_VALUES, { message: 'Choose the kind of contact.' }),
      staffName: name('staff member'),
      note: z.string().trim().max(2000, { message: 'The note is too long (2000 characters at most).' }).default(''),
      issues: z.array(RecordedIssueInput).max(50),
    }),
    output: z.object({ contactId: z.number().int(), clientIssueIds: z.array(z.number().int()) }),
  },
  'issues.changeStatus': {
    input: z
      .object({
        clientIssueId: id,
        status: z.enum(ISSUE_STATUS_VALUES, { message: 'Choose a status.' }),
        changedOn: isoDate,
        note: z.string().trim().max(2000).default(''),
        referredTo: optionalText(200),
      })
      .superRefine((change, ctx) => {
        if (change.status === 'referred' && change.referredTo === null) {
          ctx.addIssue({ code: 'custom', path: ['referredTo'], message: 'Say where the client was referred.' });
        }
      }),
    output: z.object({ status: z.enum(ISSUE_STATUS_VALUES), statusChangedOn: z.string() }),
  },
} as const;
