/**
 * The case database schema. drizzle-kit generates the SQL migrations in `drizzle/` from this file
 * (`npm run db:generate`); `openCaseDatabase` applies them at start-up.
 */
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { ISSUE_STATUS_VALUES } from '../core/issue-status.ts';
import { CONTACT_KIND_VALUES, PREFERRED_CONTACT_VALUES } from '../core/recording.ts';

/** Organisation-wide settings as JSON values (remit, deprivation threshold, organisation name…). */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const clients = sqliteTable(
  'clients',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    /** ISO date YYYY-MM-DD */
    dateOfBirth: text('date_of_birth').notNull(),
    /** Normalised full postcode ("PR1 2AB"), null when not given. */
    postcode: text('postcode'),
    /** Derived: postcode sector ("PR1 2") and district ("PR1"), kept when a client is erased. */
    postcodeSector: text('postcode_sector'),
    postcodeDistrict: text('postcode_district'),
    /** Derived neighbourhood (LSOA) and its Indices of Deprivation decile; see the geography module. */
    lsoa: text('lsoa'),
    imdDecile: integer('imd_decile'),
    imdRank: integer('imd_rank'),
    imdEdition: text('imd_edition'),
    /** Why imd_decile is unknown (e.g. "outside England"), null when known. */
    geoReason: text('geo_reason'),
    /** Derived: the postcode's 2021 LSOA and its 2022 local authority; whether its row was official or derived (placed from its centroid). */
    lsoa21: text('lsoa21'),
    localAuthorityCode: text('local_authority_code'),
    localAuthorityName: text('local_authority_name'),
    geoSource: text('geo_source', { enum: ['official', 'derived'] }),
    externalIdType: text('external_id_type', { enum: ['nhs', 'other'] }),
    externalId: text('external_id'),
    phone: text('phone'),
    email: text('email'),
    preferredContact: text('preferred_contact', {
      enum: PREFERRED_CONTACT_VALUES,
    })
      .notNull()
      .default('none'),
    consentToRecord: integer('consent_to_record', { mode: 'boolean' }).notNull(),
    /** ISO date the consent answer was given. */
    consentDate: text('consent_date').notNull(),
    /** Random key per client for cell-key perturbation in exported counts; never exported itself. */
    recordKey: integer('record_key').notNull(),
    createdAt: text('created_at')
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    updatedAt: text('updated_at')
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    /** Staff user (users.id) who created / last changed the record; null before accounts existed. */
    createdBy: integer('created_by'),
    updatedBy: integer('updated_by'),
    /** When the client's identifying details were erased (right to erasure / retention); null otherwise. */
    erasedAt: text('erased_at'),
  },
  (t) => [
    index('clients_dob_idx').on(t.dateOfBirth),
    index('clients_last_name_idx').on(t.lastName),
    index('clients_postcode_idx').on(t.postcode),
    index('clients_external_id_idx').on(t.externalId),
    index('clients_sector_idx').on(t.postcodeSector),
  ],
);

export const contacts = sqliteTable(
  'contacts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** ISO date YYYY-MM-DD */
    contactDate: text('contact_date').notNull(),
    kind: text('kind', { enum: CONTACT_KIND_VALUES }).notNull(),
    staffName: text('staff_name').notNull(),
    note: text('note').notNull().default(''),
    createdAt: text('created_at')
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    /** Staff user (users.id) who recorded the contact. */
    createdBy: integer('created_by'),
  },
  (t) => [index('contacts_client_idx').on(t.clientId, t.contactDate), index('contacts_date_idx').on(t.contactDate)],
);

const ISSUE_STATUSES = ISSUE_STATUS_VALUES;

/** One issue a client presented with (a "presentation"), first recorded on a contact. */
export const clientIssues = sqliteTable(
  'client_issues',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clientId: integer('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    contactId: integer('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    /** Code from the common issue taxonomy (resources/taxonomy.json). */
    issueCode: text('issue_code').notNull(),
    withinRemit: integer('within_remit', { mode: 'boolean' }).notNull(),
    /** Where the client was referred, for issues the organisation cannot resolve itself. */
    referredTo: text('referred_to'),
    /** Current status: a copy of the latest status event, kept in the same transaction. */
    status: text('status', { enum: ISSUE_STATUSES }).notNull(),
    identifiedOn: text('identified_on').notNull(),
    statusChangedOn: text('status_changed_on').notNull(),
    /** Staff user (users.id) who first recorded the issue. */
    createdBy: integer('created_by'),
  },
  (t) => [
    index('client_issues_client_idx').on(t.clientId),
    // Covering index for the bundle export: clients in id order, each client's presentations by date.
    index('client_issues_client_date_code_idx').on(t.clientId, t.identifiedOn, t.issueCode),
    index('client_issues_code_date_idx').on(t.issueCode, t.identifiedOn),
    index('client_issues_date_idx').on(t.identifiedOn),
  ],
);

export const issueStatusEvents = sqliteTable(
  'issue_status_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clientIssueId: integer('client_issue_id')
      .notNull()
      .references(() => clientIssues.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ISSUE_STATUSES }).notNull(),
    /** ISO date the status changed */
    changedOn: text('changed_on').notNull(),
    note: text('note').notNull().default(''),
    recordedAt: text('recorded_at')
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    /** Staff user (users.id) who recorded the status change. */
    recordedBy: integer('recorded_by'),
  },
  (t) => [index('issue_status_events_issue_idx').on(t.clientIssueId, t.changedOn)],
);

/**
 * The organisation's Ed25519 signing keys for aggregate bundles. One is current (retired_at null);
 * rotated keys stay so their fingerprints remain known. The private key is stored only encrypted
 * (see src-main/db/signing-keys.ts, KeyProtector).
 */
export const signingKeys = sqliteTable('signing_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** SHA-256 of the DER (SPKI) public key, lower-case hex. */
  fingerprint: text('fingerprint').notNull().unique(),
  publicKeyPem: text('public_key_pem').notNull(),
  /** How private_key_sealed was protected ("scrypt-passphrase", "electron-safe-storage"…). */
  protection: text('protection').notNull(),
  /** The PKCS#8 private key, sealed by that protector (its own serialised envelope). */
  privateKeySealed: text('private_key_sealed').notNull(),
  createdAt: text('created_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  retiredAt: text('retired_at'),
});

/** Every aggregate bundle exported: what was sent, when, signed by which key. */
export const bundleExports = sqliteTable('bundle_exports', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Per-organisation sequence number written into the bundle (1, 2, 3…). */
  sequence: integer('sequence').notNull().unique(),
  fromMonth: text('from_month').notNull(),
  toMonth: text('to_month').notNull(),
  createdAt: text('created_at').notNull(),
  fingerprint: text('fingerprint').notNull(),
  policy: text('policy').notNull(),
  /** SHA-256 of the exact bundle.json bytes, hex. */
  payloadSha256: text('payload_sha256').notNull(),
  byteSize: integer('byte_size').notNull(),
  /** Where the file was written; null when handed to the browser as a download. */
  file: text('file'),
});

/** Staff accounts on the shared PC (see src-main/db/protect/users.ts). Users are disabled, never deleted. */
export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ['caseworker', 'manager', 'admin'] }).notNull(),
  /** Argon2id PHC string. */
  passwordHash: text('password_hash').notNull(),
  createdAt: text('created_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  disabledAt: text('disabled_at'),
});

/**
 * Append-only audit log (triggers in the migration refuse UPDATE and DELETE). Each entry's hash
 * covers its content and the previous entry's hash, so an edited or missing entry breaks the chain.
 * Entries name records by id only, never by personal details, so erasure never needs to touch them.
 */
export const auditLog = sqliteTable('audit_log', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  at: text('at').notNull(),
  userId: integer('user_id'),
  username: text('username'),
  action: text('action').notNull(),
  /** What the action was about, e.g. "client:42"; null when nothing in particular. */
  target: text('target'),
  /** Small JSON object with non-personal details (counts, file names, outcome). */
  detail: text('detail').notNull().default('{}'),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

/** Every retention run: the policy, the cut-off and exactly which clients were anonymised. */
export const retentionRuns = sqliteTable('retention_runs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  ranAt: text('ran_at').notNull(),
  userId: integer('user_id'),
  policyYears: integer('policy_years').notNull(),
  cutoffDate: text('cutoff_date').notNull(),
  /** JSON array of client ids anonymised. */
  clientIds: text('client_ids').notNull(),
  anonymised: integer('anonymised').notNull(),
});

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
};
