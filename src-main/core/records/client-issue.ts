/**
 * THE client-issue record (an issue a client presented with, from the common taxonomy, and
 * whether it is within the organisation's remit or was referred on — and where) and THE status
 * event record (each dated change of its status). Stored in the drizzle tables `client_issues`
 * and `issue_status_events` (db/schema.ts).
 */
import { z } from 'zod';
import { ISSUE_STATUS_VALUES } from '../issue-status.ts';
import { isoDate, optionalText } from './fields.ts';
import { defineRecord, field } from './record.ts';

/** A referral destination: free text, so it can name a person (see docs/data-protection.md). */
const referredTo = field(z.string().nullable(), optionalText(200));

export const clientIssueRecord = defineRecord({
  /** Code from the common issue taxonomy (resources/taxonomy.json). */
  issueCode: field(z.string(), z.string().trim().min(1, { message: 'Choose an issue.' })),
  withinRemit: field(z.boolean(), z.boolean()),
  /** Where the client was referred, for issues the organisation cannot resolve itself. */
  referredTo,
});

/** One issue as recorded at a contact: outside the remit, it says where the client was referred. */
export const RecordedIssueInput = clientIssueRecord.input.superRefine((issue, ctx) => {
  if (!issue.withinRemit && issue.referredTo === null) {
    ctx.addIssue({ code: 'custom', path: ['referredTo'], message: 'Say where the client was referred (or "not referred").' });
  }
});
export type RecordedIssue = z.output<typeof RecordedIssueInput>;

export const statusEventRecord = defineRecord({
  status: field(z.enum(ISSUE_STATUS_VALUES), z.enum(ISSUE_STATUS_VALUES, { message: 'Choose a status.' })),
  /** ISO date the status changed. */
  changedOn: field(z.string(), isoDate, { format: 'date' }),
  note: field(z.string(), z.string().trim().max(2000).default('')),
});

/** A status change; a change to "referred" says where to (kept on the client issue). */
export const StatusChangeInput = statusEventRecord.input.extend({ referredTo: referredTo.input }).superRefine((change, ctx) => {
  if (change.status === 'referred' && change.referredTo === null) {
    ctx.addIssue({ code: 'custom', path: ['referredTo'], message: 'Say where the client was referred.' });
  }
});
export type StatusChange = z.output<typeof StatusChangeInput>;
