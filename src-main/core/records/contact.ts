/**
 * THE contact record: one time a client was seen (appointment, call, visit…), by whom, with a
 * note. The issues presented at it are client-issue records (./client-issue.ts). Stored in the
 * drizzle table `contacts` (db/schema.ts).
 */
import { z } from 'zod';
import { CONTACT_KIND_VALUES } from '../recording.ts';
import { isoDate, name } from './fields.ts';
import { defineRecord, field } from './record.ts';

export const contactRecord = defineRecord({
  /** ISO date YYYY-MM-DD. */
  contactDate: field(z.string(), isoDate, { format: 'date' }),
  kind: field(z.enum(CONTACT_KIND_VALUES), z.enum(CONTACT_KIND_VALUES, { message: 'Choose the kind of contact.' })),
  /** Who saw the client, as typed ("" once the client is erased). */
  staffName: field(z.string(), name('staff member')),
  note: field(z.string(), z.string().trim().max(2000, { message: 'The note is too long (2000 characters at most).' }).default('')),
});

export type ContactFields = z.output<typeof contactRecord.stored>;
