/** The recording core's handlers: clients, contacts, issues and their status. */
import { ClientGeography, geographyFor } from '../../core/geography.ts';
import { clientRecord } from '../../core/records/client.ts';
import { clientIssueRecord, statusEventRecord } from '../../core/records/client-issue.ts';
import { contactRecord } from '../../core/records/contact.ts';
import { pickFields, pickKeys } from '../../core/records/record.ts';
import { RecordError } from '../../core/errors.ts';
import {
  changeIssueStatus,
  clientSummaries,
  findDuplicates,
  getClientDetail,
  insertClient,
  recordContact,
  searchClients,
  updateClient,
} from '../../db/recording.ts';
import { readIodEdition } from '../../db/geo/settings.ts';
import type { recordingCalls } from '../contract/recording.ts';
import type { AppContext, HandlersFor } from '../context.ts';

function geography(ctx: AppContext, postcode: string | null): ClientGeography {
  return geographyFor(postcode, ctx.neighbourhoods, readIodEdition(ctx.caseDb.db));
}

function duplicateMatches(ctx: AppContext, candidates: ReturnType<typeof findDuplicates>) {
  const summaries = new Map(
    clientSummaries(
      ctx.caseDb.db,
      candidates.map((c) => c.id),
    ).map((s) => [s.id, s]),
  );
  return candidates.map((c) => ({ client: summaries.get(c.id)!, reason: c.reason, nameSimilarity: c.nameSimilarity }));
}

function checkIssueCodes(ctx: AppContext, codes: string[]): void {
  const known = new Set(ctx.taxonomy.issues.map((i) => i.code));
  const fieldErrors: Record<string, string[]> = {};
  codes.forEach((code, i) => {
    if (!known.has(code)) fieldErrors[`issues.${i}.issueCode`] = [`${code} is not in the issue taxonomy.`];
  });
  if (Object.keys(fieldErrors).length) throw new RecordError('invalid_input', 'Unknown issue code.', fieldErrors);
}

export const recordingHandlers: HandlersFor<typeof recordingCalls> = {
  'app.info': (_input, ctx) => ({
    version: ctx.version,
    databaseFile: ctx.caseDb.file,
    taxonomyVersion: ctx.taxonomy.version,
    host: ctx.host,
  }),

  'taxonomy.get': (_input, ctx) => ctx.taxonomy,

  'clients.search': (input, ctx) => searchClients(ctx.caseDb.db, input.query, input.limit, input.offset),

  'clients.get': (input, ctx) => {
    const { client, contactRows, issueRows, eventRows } = getClientDetail(ctx.caseDb.db, input.id);
    const issuesByCode = new Map(ctx.taxonomy.issues.map((i) => [i.code, i]));
    return {
      client: {
        ...pickFields(clientRecord, client),
        id: client.id,
        createdAt: client.createdAt,
        updatedAt: client.updatedAt,
        geography: pickKeys(client, ClientGeography.keyof().options),
      },
      contacts: contactRows.map((c) => ({
        ...pickFields(contactRecord, c),
        id: c.id,
        issueIds: issueRows.filter((i) => i.contactId === c.id).map((i) => i.id),
      })),
      issues: issueRows.map((i) => {
        const definition = issuesByCode.get(i.issueCode);
        return {
          ...pickFields(clientIssueRecord, i),
          id: i.id,
          contactId: i.contactId,
          issueName: definition?.name ?? i.issueCode,
          category: definition?.category ?? 'unknown',
          status: i.status,
          identifiedOn: i.identifiedOn,
          statusChangedOn: i.statusChangedOn,
          events: eventRows.filter((e) => e.clientIssueId === i.id).map((e) => ({ ...pickFields(statusEventRecord, e), id: e.id })),
        };
      }),
    };
  },

  'clients.findDuplicates': (input, ctx) => ({
    matches: duplicateMatches(ctx, findDuplicates(ctx.caseDb.db, input, input.excludeId)),
  }),

  'clients.create': (input, ctx, caller) => {
    const { client } = input;
    if (!input.confirmedNotDuplicate) {
      const found = findDuplicates(ctx.caseDb.db, client);
      if (found.length) return { kind: 'possible-duplicates', matches: duplicateMatches(ctx, found) };
    }
    const id = insertClient(ctx.caseDb.db, client, geography(ctx, client.postcode), caller.user?.userId ?? null);
    return { kind: 'created', id };
  },

  'clients.update': (input, ctx, caller) => {
    updateClient(ctx.caseDb.db, input.id, input.client, geography(ctx, input.client.postcode), caller.user?.userId ?? null);
    return { id: input.id };
  },

  'contacts.record': (input, ctx, caller) => {
    checkIssueCodes(
      ctx,
      input.issues.map((i) => i.issueCode),
    );
    return recordContact(ctx.caseDb.db, input, caller.user?.userId ?? null);
  },

  'issues.changeStatus': (input, ctx, caller) => changeIssueStatus(ctx.caseDb.db, input, caller.user?.userId ?? null),
};
