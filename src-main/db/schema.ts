/**
 * The case database schema. drizzle-kit generates the SQL migrations in `drizzle/` from this file
 * (`npm run db:generate`); `openCaseDatabase` applies them at start-up.
 *
 * Every column carries its personal-data class where it is defined (`identifying`, `special`,
 * `notPersonal`, `recordKeeping`: db/classing.ts) and every table says whose data it holds:
 * erasure, retention, subject access and the export checks read that (db/protect/personal-data.ts).
 * The fields people enter are defined once, with their validation, in core/records/*.ts; the
 * compiler checks these tables store exactly those (tests/records/definitions.test.ts).
 */
import { sql } from 'drizzle-orm';
import { index, integer, text } from 'drizzle-orm/sqlite-core';
import { GEO_SOURCES } from '../core/geography.ts';
import { ISSUE_STATUS_VALUES } from '../core/issue-status.ts';
import { ERASED_DESTINATION, ERASED_FIRST_NAME, ERASED_LAST_NAME, FORMER_STAFF_NAME } from '../core/protect/erasure.ts';
import { EXTERNAL_ID_TYPES } from '../core/records/client.ts';
import { ROLE_VALUES } from '../core/records/staff-account.ts';
import { CONTACT_KIND_VALUES, PREFERRED_CONTACT_VALUES } from '../core/recording.ts';
import { classedTable, identifying, notPersonal, recordKeeping, special } from './classing.ts';

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

/** Organisation-wide settings as JSON values (remit, deprivation threshold, organisation name…). */
export const settings = classedTable(
  'settings',
  { about: 'nobody' },
  {
    key: notPersonal('setting name', text('key').primaryKey()),
    value: notPersonal('setting value (organisation-wide)', text('value').notNull()),
  },
);

export const clients = classedTable(
  'clients',
  { about: 'client', clientId: 'id' },
  {
    id: recordKeeping('client record number', integer('id').primaryKey({ autoIncrement: true })),
    firstName: identifying('first name', text('first_name').notNull(), { erasedAs: ERASED_FIRST_NAME }),
    lastName: identifying('last name', text('last_name').notNull(), { erasedAs: ERASED_LAST_NAME }),
    /** ISO date YYYY-MM-DD */
    dateOfBirth: identifying('date of birth', text('date_of_birth').notNull()),
    /** Normalised full postcode ("PR1 2AB"), null when not given. */
    postcode: identifying('full postcode', text('postcode')),
    /** Derived: postcode sector ("PR1 2") and district ("PR1"), kept when a client is erased. */
    postcodeSector: notPersonal('postcode sector', text('postcode_sector')),
    postcodeDistrict: notPersonal('postcode district', text('postcode_district')),
    /** Derived neighbourhood (LSOA, about 1,500 people) and its Indices of Deprivation decile; see core/geography.ts. */
    lsoa: identifying('neighbourhood (LSOA)', text('lsoa')),
    imdDecile: notPersonal('deprivation decile', integer('imd_decile')),
    /** The rank names the neighbourhood as surely as its code does. */
    imdRank: identifying('deprivation rank (names the neighbourhood)', integer('imd_rank')),
    imdEdition: notPersonal('deprivation data edition', text('imd_edition')),
    /** Why imd_decile is unknown (e.g. "outside England"), null when known. */
    geoReason: notPersonal('why the deprivation decile is unknown', text('geo_reason')),
    /** Derived: the postcode's 2021 LSOA and its 2022 local authority; whether its row was official or derived (placed from its centroid). */
    lsoa21: identifying('neighbourhood (2021 LSOA)', text('lsoa21')),
    localAuthorityCode: notPersonal('local authority code', text('local_authority_code')),
    localAuthorityName: notPersonal('local authority', text('local_authority_name')),
    geoSource: notPersonal('how the postcode was placed (official or from its centre point)', text('geo_source', { enum: GEO_SOURCES })),
    externalIdType: identifying('external ID type', text('external_id_type', { enum: EXTERNAL_ID_TYPES })),
    externalId: identifying('external ID (NHS number or other)', text('external_id')),
    phone: identifying('phone', text('phone')),
    email: identifying('email', text('email')),
    /** How to reach the person: goes with their contact details. */
    preferredContact: identifying(
      'preferred way to contact',
      text('preferred_contact', {
        enum: PREFERRED_CONTACT_VALUES,
      })
        .notNull()
        .default('none'),
    ),
    consentToRecord: notPersonal('consent to record', integer('consent_to_record', { mode: 'boolean' }).notNull()),
    /** ISO date the consent answer was given. */
    consentDate: notPersonal('date of the consent answer', text('consent_date').notNull()),
    /** Random key per client for cell-key perturbation in exported counts; never exported itself. */
    recordKey: notPersonal('record key for cell-key perturbation', integer('record_key').notNull(), { internal: true }),
    createdAt: recordKeeping('created at', text('created_at').notNull().default(now)),
    updatedAt: recordKeeping('last changed at', text('updated_at').notNull().default(now)),
    /** Staff user (users.id) who created / last changed the record; null before accounts existed. */
    createdBy: recordKeeping('created by', integer('created_by'), { staff: true }),
    updatedBy: recordKeeping('last changed by', integer('updated_by'), { staff: true }),
    /** When the client's identifying details were erased (right to erasure / retention); null otherwise. */
    erasedAt: recordKeeping('erased at', text('erased_at')),
    /** The spreadsheet import (import_batches.id) that created the client; null when entered by hand. */
    importBatchId: recordKeeping('import batch', integer('import_batch_id')),
  },
  (t) => [
    index('clients_dob_idx').on(t.dateOfBirth),
    index('clients_last_name_idx').on(t.lastName),
    index('clients_postcode_idx').on(t.postcode),
    index('clients_external_id_idx').on(t.externalId),
    index('clients_sector_idx').on(t.postcodeSector),
    index('clients_import_batch_idx').on(t.importBatchId),
  ],
);

export const contacts = classedTable(
  'contacts',
  { about: 'client', clientId: 'clientId' },
  {
    id: recordKeeping('contact record number', integer('id').primaryKey({ autoIncrement: true })),
    clientId: recordKeeping(
      'client record number',
      integer('client_id')
        .notNull()
        .references(() => clients.id, { onDelete: 'cascade' }),
    ),
    /** ISO date YYYY-MM-DD */
    contactDate: notPersonal('contact date', text('contact_date').notNull()),
    kind: notPersonal('kind of contact', text('kind', { enum: CONTACT_KIND_VALUES }).notNull()),
    /** Typed by hand: a person's name, kept with the case and erased with it (docs/data-protection.md). */
    staffName: identifying('staff member who saw the client', text('staff_name').notNull()),
    note: identifying('contact note', text('note').notNull().default('')),
    createdAt: recordKeeping('recorded at', text('created_at').notNull().default(now)),
    /** Staff user (users.id) who recorded the contact. */
    createdBy: recordKeeping('recorded by', integer('created_by'), { staff: true }),
    /** The spreadsheet import (import_batches.id) that added the contact; null when entered by hand. */
    importBatchId: recordKeeping('import batch', integer('import_batch_id')),
  },
  (t) => [
    index('contacts_client_idx').on(t.clientId, t.contactDate),
    index('contacts_date_idx').on(t.contactDate),
    index('contacts_import_batch_idx').on(t.importBatchId),
  ],
);

/** One issue a client presented with (a "presentation"), first recorded on a contact. */
export const clientIssues = classedTable(
  'client_issues',
  { about: 'client', clientId: 'clientId' },
  {
    id: recordKeeping('issue record number', integer('id').primaryKey({ autoIncrement: true })),
    clientId: recordKeeping(
      'client record number',
      integer('client_id')
        .notNull()
        .references(() => clients.id, { onDelete: 'cascade' }),
    ),
    contactId: recordKeeping(
      'contact record number',
      integer('contact_id')
        .notNull()
        .references(() => contacts.id, { onDelete: 'cascade' }),
    ),
    /** Code from the common issue taxonomy (resources/taxonomy.json): health, abuse, immigration… */
    issueCode: special('issue presented (from the issue taxonomy)', text('issue_code').notNull()),
    withinRemit: notPersonal('within the organisation’s remit', integer('within_remit', { mode: 'boolean' }).notNull()),
    /** Where the client was referred: free text that can name a person, so an erased client's becomes ERASED_DESTINATION. */
    referredTo: identifying('referral destination', text('referred_to'), { erasedAs: ERASED_DESTINATION }),
    /** Current status: a copy of the latest status event, kept in the same transaction. */
    status: notPersonal('issue status', text('status', { enum: ISSUE_STATUS_VALUES }).notNull()),
    identifiedOn: notPersonal('date the issue was identified', text('identified_on').notNull()),
    statusChangedOn: notPersonal('date of the last status change', text('status_changed_on').notNull()),
    /** Staff user (users.id) who first recorded the issue. */
    createdBy: recordKeeping('recorded by', integer('created_by'), { staff: true }),
  },
  (t) => [
    index('client_issues_client_idx').on(t.clientId),
    // Covering index for the bundle export: clients in id order, each client's presentations by date.
    index('client_issues_client_date_code_idx').on(t.clientId, t.identifiedOn, t.issueCode),
    index('client_issues_code_date_idx').on(t.issueCode, t.identifiedOn),
    index('client_issues_date_idx').on(t.identifiedOn),
  ],
);

export const issueStatusEvents = classedTable(
  'issue_status_events',
  { about: 'client', via: { column: 'clientIssueId', table: 'client_issues' } },
  {
    id: recordKeeping('status change record number', integer('id').primaryKey({ autoIncrement: true })),
    clientIssueId: recordKeeping(
      'issue record number',
      integer('client_issue_id')
        .notNull()
        .references(() => clientIssues.id, { onDelete: 'cascade' }),
    ),
    status: notPersonal('status', text('status', { enum: ISSUE_STATUS_VALUES }).notNull()),
    /** ISO date the status changed */
    changedOn: notPersonal('date of the status change', text('changed_on').notNull()),
    /** Free text (a referral's note names its destination). */
    note: identifying('status change note', text('note').notNull().default('')),
    recordedAt: recordKeeping('recorded at', text('recorded_at').notNull().default(now)),
    /** Staff user (users.id) who recorded the status change. */
    recordedBy: recordKeeping('recorded by', integer('recorded_by'), { staff: true }),
  },
  // An issue's events in date order, covering its status: "the status on a date" (impact at an
  // earlier end looks it up for every issue changed since) is read from the index alone.
  (t) => [index('issue_status_events_issue_idx').on(t.clientIssueId, t.changedOn, t.id, t.status)],
);

/**
 * The organisation's Ed25519 signing keys for aggregate bundles. One is current (retired_at null);
 * rotated keys stay so their fingerprints remain known. The private key is stored only encrypted
 * (see src-main/db/bundle/signing-keys.ts, KeyProtector).
 */
export const signingKeys = classedTable(
  'signing_keys',
  { about: 'nobody' },
  {
    id: recordKeeping('key number', integer('id').primaryKey({ autoIncrement: true })),
    /** SHA-256 of the DER (SPKI) public key, lower-case hex. */
    fingerprint: notPersonal('fingerprint', text('fingerprint').notNull().unique()),
    publicKeyPem: notPersonal('public key', text('public_key_pem').notNull()),
    /** How private_key_sealed was protected ("scrypt-passphrase", "electron-safe-storage"…). */
    protection: notPersonal('how the private key is protected', text('protection').notNull()),
    /** The PKCS#8 private key, sealed by that protector (its own serialised envelope). */
    privateKeySealed: notPersonal('sealed private key', text('private_key_sealed').notNull()),
    createdAt: recordKeeping('created at', text('created_at').notNull().default(now)),
    retiredAt: recordKeeping('retired at', text('retired_at')),
  },
);

/** Every aggregate bundle exported: what was sent, when, signed by which key. */
export const bundleExports = classedTable(
  'bundle_exports',
  { about: 'nobody' },
  {
    id: recordKeeping('export number', integer('id').primaryKey({ autoIncrement: true })),
    /** Per-organisation sequence number written into the bundle (1, 2, 3…). */
    sequence: notPersonal('bundle sequence number', integer('sequence').notNull().unique()),
    fromMonth: notPersonal('first month', text('from_month').notNull()),
    toMonth: notPersonal('last month', text('to_month').notNull()),
    createdAt: recordKeeping('created at', text('created_at').notNull()),
    fingerprint: notPersonal('signing key fingerprint', text('fingerprint').notNull()),
    policy: notPersonal('disclosure policy', text('policy').notNull()),
    /** SHA-256 of the exact bundle.json bytes, hex. */
    payloadSha256: notPersonal('SHA-256 of the bundle', text('payload_sha256').notNull()),
    byteSize: notPersonal('size in bytes', integer('byte_size').notNull()),
    /** Where the file was written; null when handed to the browser as a download. */
    file: notPersonal('file written', text('file')),
  },
);

/**
 * Staff accounts on the shared PC (see src-main/db/protect/users.ts). Users are disabled, never
 * deleted; a disabled account's name is removed once no identifiable client record refers to it.
 */
export const users = classedTable(
  'users',
  { about: 'staff', staffId: 'id' },
  {
    id: recordKeeping('staff account number', integer('id').primaryKey({ autoIncrement: true })),
    username: identifying('username', text('username').notNull().unique(), { erasedAs: sql`'former-' || "id"` }),
    displayName: identifying('staff member’s name', text('display_name').notNull(), { erasedAs: FORMER_STAFF_NAME }),
    role: notPersonal('role', text('role', { enum: ROLE_VALUES }).notNull()),
    /** Argon2id PHC string; emptied when the account is disabled. */
    passwordHash: identifying('password hash', text('password_hash').notNull()),
    createdAt: recordKeeping('created at', text('created_at').notNull().default(now)),
    disabledAt: recordKeeping('disabled at', text('disabled_at')),
  },
);

/**
 * Append-only audit log (triggers in the migration refuse UPDATE and DELETE). Each entry's hash
 * covers its content and the previous entry's hash, so an edited or missing entry breaks the chain.
 * Entries name records by id only, never by personal details, so erasure never needs to touch them.
 */
export const auditLog = classedTable(
  'audit_log',
  {
    about: 'staff',
    retained: 'append-only and hash-chained: who did what stays provable for as long as the log is kept; clients appear by record number only',
  },
  {
    id: recordKeeping('entry number', integer('id').primaryKey({ autoIncrement: true })),
    at: recordKeeping('at', text('at').notNull()),
    userId: recordKeeping('staff account', integer('user_id'), { staff: true }),
    username: identifying('username', text('username')),
    action: notPersonal('action', text('action').notNull()),
    /** What the action was about, e.g. "client:42"; null when nothing in particular. */
    target: notPersonal('record acted on', text('target')),
    /** Small JSON object with non-personal details (counts, file names, outcome). */
    detail: notPersonal('details', text('detail').notNull().default('{}')),
    prevHash: notPersonal('previous entry’s hash', text('prev_hash').notNull()),
    hash: notPersonal('hash', text('hash').notNull()),
  },
);

/** Every retention run: the policy, the cut-off and exactly which clients were anonymised. */
export const retentionRuns = classedTable(
  'retention_runs',
  { about: 'nobody' },
  {
    id: recordKeeping('run number', integer('id').primaryKey({ autoIncrement: true })),
    ranAt: recordKeeping('ran at', text('ran_at').notNull()),
    userId: recordKeeping('run by', integer('user_id'), { staff: true }),
    policyYears: notPersonal('policy (years)', integer('policy_years').notNull()),
    cutoffDate: notPersonal('cut-off date', text('cutoff_date').notNull()),
    /** JSON array of client ids anonymised. */
    clientIds: recordKeeping('client record numbers anonymised', text('client_ids').notNull()),
    anonymised: notPersonal('clients anonymised', integer('anonymised').notNull()),
  },
);

/**
 * Every spreadsheet import (db/import/batches.ts): who ran it, what it created, and whether it was
 * undone. The rows it wrote carry its id (clients.import_batch_id, contacts.import_batch_id), so an
 * undo removes exactly them. No personal data: the file is named by its SHA-256 only.
 */
export const importBatches = classedTable(
  'import_batches',
  { about: 'nobody' },
  {
    id: recordKeeping('import number', integer('id').primaryKey({ autoIncrement: true })),
    importedAt: recordKeeping('imported at', text('imported_at').notNull().default(now)),
    userId: recordKeeping('imported by', integer('user_id'), { staff: true }),
    sheet: notPersonal('sheet name', text('sheet').notNull()),
    fileSha256: notPersonal('SHA-256 of the file imported', text('file_sha256').notNull()),
    rowsImported: notPersonal('rows imported', integer('rows_imported').notNull()),
    clientsCreated: notPersonal('clients created', integer('clients_created').notNull()),
    existingClients: notPersonal('existing clients added to', integer('existing_clients').notNull()),
    contacts: notPersonal('contacts recorded', integer('contacts').notNull()),
    issues: notPersonal('issues recorded', integer('issues').notNull()),
    statusChanges: notPersonal('status changes recorded', integer('status_changes').notNull()),
    /** When the last row was written (in the same transaction): records changed after it are not the import's own. */
    finishedAt: recordKeeping('finished at', text('finished_at')),
    undoneAt: recordKeeping('undone at', text('undone_at')),
    undoneBy: recordKeeping('undone by', integer('undone_by'), { staff: true }),
  },
);

export const schemaTables = {
  settings,
  clients,
  contacts,
  clientIssues,
  issueStatusEvents,
  signingKeys,
  bundleExports,
  users,
  auditLog,
  retentionRuns,
  importBatches,
};
