/**
 * The recording core's part of the contract (see ../contract.ts): clients, contacts, issues.
 * Imports only zod and pure core modules, so the renderer can import it too.
 */
import { z } from 'zod';
import { ClientGeography } from '../../core/geography.ts';
import { ClientFields, ClientInput } from '../../core/records/client.ts';
import { RecordedIssueInput, StatusChangeInput, clientIssueRecord, statusEventRecord } from '../../core/records/client-issue.ts';
import { contactRecord } from '../../core/records/contact.ts';
import { ISSUE_STATUS_VALUES } from '../../core/issue-status.ts';

export { ClientInput };

export const ClientSummary = ClientFields.pick({ firstName: true, lastName: true, dateOfBirth: true, postcode: true, externalId: true }).extend({
  id: z.number().int(),
  postcodeSector: z.string().nullable(),
  lastContactDate: z.string().nullable(),
  openIssues: z.number().int(),
});
export type ClientSummary = z.infer<typeof ClientSummary>;

/** A client as the client page shows it: every recorded field (core/records/client.ts) and what was derived from the postcode. */
export const ClientRecord = ClientFields.extend({
  id: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  geography: ClientGeography,
});
export type ClientRecord = z.infer<typeof ClientRecord>;

export const StatusEvent = statusEventRecord.stored.extend({ id: z.number().int() });

export const ClientIssue = clientIssueRecord.stored.extend({
  id: z.number().int(),
  contactId: z.number().int(),
  issueName: z.string(),
  category: z.string(),
  status: z.enum(ISSUE_STATUS_VALUES),
  identifiedOn: z.string(),
  statusChangedOn: z.string(),
  events: z.array(StatusEvent),
});
export type ClientIssue = z.infer<typeof ClientIssue>;

export const Contact = contactRecord.stored.extend({
  id: z.number().int(),
  issueIds: z.array(z.number().int()),
});
export type Contact = z.infer<typeof Contact>;

export const DuplicateMatch = z.object({
  client: ClientSummary,
  reason: z.enum(['same-external-id', 'same-dob-similar-name']),
  nameSimilarity: z.number(),
});
export type DuplicateMatch = z.infer<typeof DuplicateMatch>;

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
    input: contactRecord.input.extend({ clientId: id, issues: z.array(RecordedIssueInput).max(50) }),
    output: z.object({ contactId: z.number().int(), clientIssueIds: z.array(z.number().int()) }),
  },
  'issues.changeStatus': {
    input: StatusChangeInput.safeExtend({ clientIssueId: id }),
    output: z.object({ status: z.enum(ISSUE_STATUS_VALUES), statusChangedOn: z.string() }),
  },
} as const;
