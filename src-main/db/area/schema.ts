/**
 * The "Area picture" database: combined aggregate bundles from many organisations. It holds no
 * personal data — only published (already protected) counts, and pseudonymous match keys that
 * never leave this file. Separate from the case schema, with its own migrations in drizzle/area.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

/** Organisations whose signing keys the analyst trusts, by key fingerprint. */
export const trustedKeys = sqliteTable('trusted_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** SHA-256 of the DER public key, 64 lower-case hex digits. */
  fingerprint: text('fingerprint').notNull().unique(),
  /** Null when the analyst pasted only the fingerprint. */
  publicKeyPem: text('public_key_pem'),
  /**
   * The organisation this key speaks for: set at trust time (`--org-id`), else by the first bundle
   * accepted from it. Bundles claiming another organisation are refused, and so are bundles for
   * this organisation from a key not bound to it. Several keys may share an id (rotation).
   */
  organisationId: text('organisation_id'),
  addedAt: text('added_at').notNull(),
  revokedAt: text('revoked_at'),
  revokedReason: text('revoked_reason'),
});

export const importedBundles = sqliteTable(
  'imported_bundles',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organisationId: text('organisation_id').notNull(),
    organisationName: text('organisation_name').notNull(),
    fingerprint: text('fingerprint').notNull(),
    sequence: integer('sequence').notNull(),
    fromMonth: text('from_month').notNull(),
    toMonth: text('to_month').notNull(),
    monthCount: integer('month_count').notNull(),
    schema: text('schema').notNull(),
    taxonomyVersion: text('taxonomy_version').notNull(),
    disclosurePolicy: text('disclosure_policy').notNull(),
    createdAt: text('created_at').notNull(),
    fileName: text('file_name').notNull(),
    payloadSha256: text('payload_sha256').notNull(),
    /** Null when the organisation did not opt in to match keys. */
    linkageKeyId: text('linkage_key_id'),
    importedAt: text('imported_at').notNull(),
    /**
     * JSON: table id → the bundle's universe (one list of values per dimension). Its tables are
     * complete over it, so cells not stored in bundle_cells are published zeros. Null for bundles
     * of the retired format needmap-bundle/1, which listed only cells above zero.
     */
    universe: text('universe'),
    supersededBy: integer('superseded_by').references((): AnySQLiteColumn => importedBundles.id),
    /**
     * Whether this bundle's cells are in combined_cells. An import batch stores each file in its
     * own transaction and combines them all once at its end (db/area/combine-pending.ts); a bundle
     * whose flag is not "active" (superseded_by IS NULL) is waiting to be added to the cube, or,
     * once superseded, taken out of it — caught up at the batch's end, or at the next open if
     * the batch stopped.
     */
    combined: integer('combined', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    index('imported_bundles_org').on(t.organisationId, t.fromMonth),
    index('imported_bundles_active').on(t.supersededBy),
    index('imported_bundles_uncombined')
      .on(t.id)
      .where(sql`${t.combined} <> (${t.supersededBy} IS NULL)`),
  ],
);

/**
 * Each imported bundle's cells as published: a suppressed count is stored as NULL with its flag
 * set, never as 0. Every bundle table has three dimensions (k1, k2, k3 in the table's order).
 * Cells published as 0 for both counts are not stored (imported_bundles.universe says they exist).
 */
export const bundleCells = sqliteTable(
  'bundle_cells',
  {
    bundleId: integer('bundle_id')
      .notNull()
      .references(() => importedBundles.id, { onDelete: 'cascade' }),
    tableId: text('table_id').notNull(),
    k1: text('k1').notNull(),
    k2: text('k2').notNull(),
    k3: text('k3').notNull(),
    people: integer('people'),
    peopleSuppressed: integer('people_suppressed', { mode: 'boolean' }).notNull(),
    presentations: integer('presentations'),
    presentationsSuppressed: integer('presentations_suppressed', { mode: 'boolean' }).notNull(),
  },
  (t) => [index('bundle_cells_bundle').on(t.bundleId)],
);

/**
 * The combined cube over the active (not superseded) bundles, kept up to date inside each
 * import's transaction: sums of the published values, how many organisations' figures for the
 * cell were suppressed (so the sum is then a lower bound), and how many contributed.
 */
export const combinedCells = sqliteTable(
  'combined_cells',
  {
    tableId: text('table_id').notNull(),
    k1: text('k1').notNull(),
    k2: text('k2').notNull(),
    k3: text('k3').notNull(),
    people: integer('people').notNull(),
    peopleSuppressed: integer('people_suppressed').notNull(),
    presentations: integer('presentations').notNull(),
    presentationsSuppressed: integer('presentations_suppressed').notNull(),
    organisations: integer('organisations').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tableId, t.k1, t.k2, t.k3] }), index('combined_cells_month').on(t.tableId, t.k2)],
);

/** Which sectors each bundle reports on (for coverage: how many organisations report per sector). */
export const bundleSectors = sqliteTable(
  'bundle_sectors',
  {
    bundleId: integer('bundle_id')
      .notNull()
      .references(() => importedBundles.id, { onDelete: 'cascade' }),
    sector: text('sector').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bundleId, t.sector] })],
);

/** Pseudonymous match keys of opted-in organisations: kept only here, never exported. */
export const matchKeys = sqliteTable(
  'match_keys',
  {
    bundleId: integer('bundle_id')
      .notNull()
      .references(() => importedBundles.id, { onDelete: 'cascade' }),
    /** The row (person record) within its bundle's section. */
    row: integer('row').notNull(),
    quarter: text('quarter').notNull(),
    district: text('district').notNull(),
    keyType: text('key_type').notNull(),
    keyValue: text('key_value').notNull(),
  },
  (t) => [index('match_keys_bundle').on(t.bundleId), index('match_keys_cell').on(t.district, t.quarter)],
);

export const importLog = sqliteTable('import_log', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  fileName: text('file_name').notNull(),
  outcome: text('outcome', { enum: ['accepted', 'refused'] }).notNull(),
  /** Machine-readable reason code for a refusal ("untrusted-key", "older-sequence"…); null when accepted. */
  reasonCode: text('reason_code'),
  message: text('message').notNull(),
  bundleId: integer('bundle_id').references(() => importedBundles.id, { onDelete: 'set null' }),
  at: text('at').notNull(),
});

export const areaEvents = sqliteTable('area_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  date: text('date').notNull(),
  title: text('title').notNull(),
  /** JSON array of postcode sectors; null = the whole area. */
  sectors: text('sectors'),
  createdAt: text('created_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))`),
});

/**
 * Distinct people per district × quarter from the active bundles' match keys, as computed by
 * union-find (core/area/distinct.ts) — stored so the dashboard reads ~300 rows instead of
 * merging every match key on each view. Derived data: recomputed whole after an import batch,
 * or on first read when `derived_versions` shows bundles were imported since.
 */
export const distinctPeopleCells = sqliteTable(
  'distinct_people_cells',
  {
    district: text('district').notNull(),
    quarter: text('quarter').notNull(),
    records: integer('records').notNull(),
    distinctPeople: integer('distinct_people').notNull(),
    sharedPeople: integer('shared_people').notNull(),
    organisations: integer('organisations').notNull(),
  },
  (t) => [primaryKey({ columns: [t.district, t.quarter] })],
);

/** Which imported bundles a stored derived table reflects: the highest bundle id when it was computed (ids are never reused). */
export const derivedVersions = sqliteTable('derived_versions', {
  name: text('name').primaryKey(),
  asOfBundleId: integer('as_of_bundle_id').notNull(),
});

/**
 * "Our area": the local authorities (2022 codes) the area picture is limited to, chosen from the
 * reference data's lookup. Empty = the whole area every bundle covers. Names are kept so the
 * choice reads the same even if a later reference data update renames an authority.
 */
export const ourAreaAuthorities = sqliteTable('our_area_authorities', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  chosenAt: text('chosen_at').notNull(),
});

/**
 * New services the analyst records, to see what changed in their catchment against comparison
 * sectors (db/area/services.ts). `organisationId` is the service's own organisation when it sends
 * bundles: its presentations are then the people reaching it.
 */
export const areaServices = sqliteTable('area_services', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** ISO date it opened. */
  openedOn: text('opened_on').notNull(),
  /** JSON array of catchment postcode sectors (at least one). */
  sectors: text('sectors').notNull(),
  /** JSON array of taxonomy issue codes it addresses (at least one). */
  issues: text('issues').notNull(),
  organisationId: text('organisation_id'),
  createdAt: text('created_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))`),
});
