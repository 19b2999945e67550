/**
 * THE client record: every field a caseworker records about a client, defined once. The contract
 * (ipc/contract/recording.ts), the handlers, db/recording.ts, the demo generator and the client
 * form all derive from `clientRecord`; the drizzle table `clients` (db/schema.ts) stores it, with
 * each column's personal-data class beside it. To add a field: docs/recipes/add-a-client-field.md.
 * What NeedMap derives from the postcode (sector, neighbourhood, decile) is core/geography.ts.
 */
import { z } from 'zod';
import { isValidNhsNumber } from '../nhs-number.ts';
import { parsePostcode } from '../postcode.ts';
import { PREFERRED_CONTACT_VALUES } from '../recording.ts';
import { isoDate, name, optionalText } from './fields.ts';
import { defineRecord, field } from './record.ts';

export const EXTERNAL_ID_TYPES = ['nhs', 'other'] as const;
export type ExternalIdType = (typeof EXTERNAL_ID_TYPES)[number];

const postcode = optionalText(12)
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
  });

const email = z
  .union([z.literal(''), z.email({ message: 'Enter a valid email address.' })])
  .nullable()
  .default(null)
  .transform((v) => (v === '' ? null : v));

export const clientRecord = defineRecord({
  firstName: field(z.string(), name('first name')),
  lastName: field(z.string(), name('last name')),
  /** ISO date YYYY-MM-DD ("" once erased). */
  dateOfBirth: field(
    z.string(),
    isoDate.refine((d) => d >= '1900-01-01', { message: 'The date of birth is before 1900.' }),
    { format: 'date' },
  ),
  /** Normalised full postcode ("PR1 2AB"), null when not given. */
  postcode: field(z.string().nullable(), postcode),
  externalIdType: field(z.enum(EXTERNAL_ID_TYPES).nullable(), z.enum(EXTERNAL_ID_TYPES).nullable().default(null)),
  externalId: field(z.string().nullable(), optionalText(40)),
  phone: field(z.string().nullable(), optionalText(40)),
  email: field(z.string().nullable(), email),
  preferredContact: field(z.enum(PREFERRED_CONTACT_VALUES), z.enum(PREFERRED_CONTACT_VALUES).default('none')),
  consentToRecord: field(z.boolean(), z.boolean({ message: 'Say whether the client consents to their data being recorded.' })),
  /** ISO date the consent answer was given. */
  consentDate: field(z.string(), isoDate, { format: 'date' }),
});

/** What a caseworker enters for a client, checked and normalised (the input of clients.create / clients.update). */
export const ClientInput = clientRecord.input.superRefine((c, ctx) => {
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

/** A client's recorded fields as stored (after ClientInput has checked and normalised them). */
export const ClientFields = clientRecord.stored;
export type ClientFields = z.output<typeof ClientFields>;
