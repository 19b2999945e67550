/**
 * Storing one verified bundle in the area database, in its own transaction: the checks that need
 * the database (key trusted and not revoked — again, the register decides — key and organisation
 * bound to each other, taxonomy known and every table complete over its codes, the period over,
 * the supersede rule), then the bundle, its cells, sectors and match keys, and a log line. A
 * refused file changes nothing. Its cells reach the combined cube at the end of its batch
 * (combine-pending.ts) — or at once, inside this transaction, for a single file.
 */
import { displayText } from '../../core/display-text.ts';
import { countOf, signerRefusal, type ImportReady, type SignerStanding } from '../../core/area/import-ready.ts';
import { bundlePeriodProblem } from '../../core/area/checks.ts';
import { groupedFingerprint } from '../../core/bundle/package.ts';
import { monthIndex } from '../../core/bundle/period.ts';
import { TABLE_SPECS, type TableId } from '../../core/bundle/schema.ts';
import { UNKNOWN } from '../../core/bundle/tables.ts';
import type { SignerIdentity, VerifyFailureReason } from '../../core/bundle/verify.ts';
import { cellKeyTranslator, universeTranslator } from '../../core/taxonomy-mapping.ts';
import type { SqliteDatabase } from '../open.ts';
import { combinePendingWithSql } from './combine-pending.ts';
import type { AreaDatabase } from './open.ts';
import { isoSeconds } from '../../core/timestamps.ts';

export type RefusalReason =
  | VerifyFailureReason
  | 'unreadable-file'
  | 'unknown-taxonomy-version'
  | 'untrusted-key'
  | 'revoked-key'
  | 'organisation-mismatch'
  | 'implausible-period'
  | 'older-sequence'
  | 'duplicate'
  | 'overlapping-period'
  | 'internal-error';

export type ImportOutcome =
  | { file: string; outcome: 'accepted'; bundleId: number; organisationId: string; sequence: number; supersededBundleId: number | null; message: string }
  | { file: string; outcome: 'refused'; reason: RefusalReason; message: string };

/** A taxonomy version's codes: a bundle's category and issue tables must range over exactly these (and "unknown"). */
export interface TaxonomyCodes {
  version: string;
  categories: readonly string[];
  issues: readonly string[];
}

export interface ImportOptions {
  /** Taxonomy versions this app knows (bundles naming another are refused). */
  taxonomies: readonly TaxonomyCodes[];
  now?: Date;
}

export class Refusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

interface ActiveBundle {
  id: number;
  sequence: number;
  from_month: string;
  to_month: string;
  payload_sha256: string;
}

interface TrustedRow {
  id: number;
  name: string;
  fingerprint: string;
  organisation_id: string | null;
  revoked_at: string | null;
}

/** Cells inserted per statement: one statement for many rows costs far less than a statement per row. */
const CELLS_PER_INSERT = 64;
const CELL_COLUMNS = '(bundle_id, table_id, k1, k2, k3, people, people_suppressed, presentations, presentations_suppressed)';

function prepareStatements(s: SqliteDatabase) {
  return {
    trusted: s.prepare('SELECT id, name, fingerprint, organisation_id, revoked_at FROM trusted_keys WHERE fingerprint = ?'),
    allTrusted: s.prepare('SELECT fingerprint, name, revoked_at FROM trusted_keys'),
    boundTo: s.prepare('SELECT id, name, fingerprint, organisation_id, revoked_at FROM trusted_keys WHERE organisation_id = ? ORDER BY id'),
    bindOrganisation: s.prepare('UPDATE trusted_keys SET organisation_id = ? WHERE id = ? AND organisation_id IS NULL'),
    samePayload: s.prepare('SELECT id, sequence FROM imported_bundles WHERE payload_sha256 = ?'),
    activeOfOrganisation: s.prepare(
      'SELECT id, sequence, from_month, to_month, payload_sha256 FROM imported_bundles WHERE organisation_id = ? AND superseded_by IS NULL',
    ),
    insertBundle: s.prepare(`INSERT INTO imported_bundles
      (organisation_id, organisation_name, fingerprint, sequence, from_month, to_month, month_count, schema, taxonomy_version,
       disclosure_policy, created_at, file_name, payload_sha256, linkage_key_id, imported_at, universe, combined)
      VALUES (@organisationId, @organisationName, @fingerprint, @sequence, @fromMonth, @toMonth, @monthCount, @schema, @taxonomyVersion,
       @disclosurePolicy, @createdAt, @fileName, @payloadSha256, @linkageKeyId, @importedAt, @universe, 0)`),
    insertCell: s.prepare(`INSERT INTO bundle_cells ${CELL_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertCells: s.prepare(`INSERT INTO bundle_cells ${CELL_COLUMNS} VALUES ${new Array(CELLS_PER_INSERT).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`),
    insertSector: s.prepare('INSERT OR IGNORE INTO bundle_sectors (bundle_id, sector) VALUES (?, ?)'),
    insertMatchKey: s.prepare('INSERT INTO match_keys (bundle_id, row, quarter, district, key_type, key_value) VALUES (?, ?, ?, ?, ?, ?)'),
    supersede: s.prepare('UPDATE imported_bundles SET superseded_by = ? WHERE id = ?'),
    // Match keys of a superseded bundle are no longer needed: keep as little pseudonymous data as possible.
    dropMatchKeys: s.prepare('DELETE FROM match_keys WHERE bundle_id = ?'),
    log: s.prepare('INSERT INTO import_log (file_name, outcome, reason_code, message, bundle_id, at) VALUES (?, ?, ?, ?, ?, ?)'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;
const prepared = new WeakMap<SqliteDatabase, Statements>();

/** The import's statements, prepared once per connection. */
function statements(area: AreaDatabase): Statements {
  let st = prepared.get(area.sqlite);
  if (!st) prepared.set(area.sqlite, (st = prepareStatements(area.sqlite)));
  return st;
}

/** Every key in the register with its standing: the snapshot a batch's verification checks signers against. */
export function readSignerStandings(area: AreaDatabase): Map<string, SignerStanding> {
  const rows = statements(area).allTrusted.all() as { fingerprint: string; name: string; revoked_at: string | null }[];
  return new Map(rows.map((r) => [r.fingerprint, { name: r.name, revokedAt: r.revoked_at }]));
}

/** The standing of one key, read now (for verification in this thread). */
export function signerStanding(area: AreaDatabase, fingerprint: string): SignerStanding | undefined {
  const row = statements(area).trusted.get(fingerprint) as TrustedRow | undefined;
  return row ? { name: row.name, revokedAt: row.revoked_at } : undefined;
}

function overlaps(a: { from: string; to: string }, b: { from: string; to: string }): boolean {
  return monthIndex(a.from) <= monthIndex(b.to) && monthIndex(b.from) <= monthIndex(a.to);
}

function describe(p: ImportReady['payload']): string {
  return `${displayText(p.organisation.name)} (${p.organisation.id}) bundle #${p.sequence}, ${p.period.from} to ${p.period.to}`;
}

function keyLabel(key: TrustedRow): string {
  return `${groupedFingerprint(key.fingerprint)} (${displayText(key.name)})`;
}

/** The key must be trusted and not revoked, as the register says now. */
function checkTrusted(st: Statements, signer: SignerIdentity): TrustedRow {
  const trusted = st.trusted.get(signer.fingerprint) as TrustedRow | undefined;
  const refusal = signerRefusal(signer, trusted && { name: trusted.name, revokedAt: trusted.revoked_at });
  if (refusal) throw new Refusal(refusal.reason, refusal.message);
  return trusted!;
}

/**
 * A key speaks for one organisation, and an organisation's bundles come only from keys bound to
 * it: refuses a key bound to another id, and an unbound key claiming an id that keys are bound to.
 */
function checkBinding(st: Statements, key: TrustedRow, organisationId: string): void {
  if (key.organisation_id !== null && key.organisation_id !== organisationId) {
    throw new Refusal(
      'organisation-mismatch',
      `the key ${keyLabel(key)} speaks for organisation ${displayText(key.organisation_id)}, but the bundle claims to be from ${organisationId}; ` +
        `nothing was imported.`,
    );
  }
  if (key.organisation_id === null) {
    const bound = st.boundTo.all(organisationId) as TrustedRow[];
    if (bound.length > 0) {
      throw new Refusal(
        'organisation-mismatch',
        `the bundle claims to be from ${organisationId}, whose bundles come from the key ${bound.map(keyLabel).join(', ')}, but it is signed by ` +
          `${keyLabel(key)}, which is not bound to ${organisationId}; if ${organisationId} has a new key, trust it with --org-id ${organisationId}. Nothing was imported.`,
      );
    }
  }
}

/** Every category and issue table must range over exactly the taxonomy's codes and "unknown": a missing code would be a cell left out. */
function checkTaxonomyUniverse(ready: ImportReady, codes: TaxonomyCodes): void {
  const expected = {
    category: [...new Set([...codes.categories, UNKNOWN])].sort(),
    issue: [...new Set([...codes.issues, UNKNOWN])].sort(),
  };
  for (const table of ready.tables) {
    TABLE_SPECS[table.id].dimensions.forEach((dimension, d) => {
      if (dimension !== 'category' && dimension !== 'issue') return;
      const values = table.universe[d]!;
      const want = expected[dimension];
      if (values.length !== want.length || values.some((v, i) => v !== want[i])) {
        const missing = want.filter((v) => !values.includes(v));
        const extra = values.filter((v) => !want.includes(v));
        throw new Refusal(
          'incomplete-table',
          `table ${table.id} does not range over the ${dimension} codes of taxonomy ${codes.version}` +
            (missing.length ? ` (missing ${missing.slice(0, 3).join(', ')})` : '') +
            (extra.length ? ` (not in it: ${extra.slice(0, 3).join(', ')})` : '') +
            '.',
        );
      }
    });
  }
}

/**
 * A table's listed cells as the area database keeps them: `values[d][p]` is the value stored for
 * position p of dimension d of the bundle's own universe, and `universe` the universe stored — a
 * bundle of an older taxonomy version read through its mapping (core/taxonomy-mapping.ts), so its
 * issue codes are the current ones.
 */
export interface StoredTable {
  id: TableId;
  universe: readonly (readonly string[])[];
  values: readonly (readonly string[])[];
  keys: Int32Array;
  people: Int32Array;
  presentations: Int32Array;
}

export function storedTables(ready: ImportReady, taxonomies: readonly TaxonomyCodes[]): StoredTable[] {
  const currentVersions = taxonomies.map((t) => t.version);
  const currentKey = cellKeyTranslator(ready.payload.taxonomyVersion, currentVersions);
  const currentUniverse = universeTranslator(ready.payload.taxonomyVersion, currentVersions);
  return ready.tables.map((table) => {
    // Each value translated as the cell keys holding it would be (only the issue dimension ever changes).
    const values = table.universe.map((dimension, d) =>
      dimension.map(
        (value) =>
          currentKey(
            table.id,
            table.universe.map((other, e) => (e === d ? value : (other[0] ?? ''))),
          )[d]!,
      ),
    );
    return {
      id: table.id,
      universe: currentUniverse(table.id, table.universe),
      values,
      keys: table.keys,
      people: table.people,
      presentations: table.presentations,
    };
  });
}

/** The listed cells of every table, many rows per statement. */
function insertCells(st: Statements, bundleId: number, tables: readonly StoredTable[]): void {
  const batch: unknown[] = [];
  for (const table of tables) {
    const [v1, v2, v3] = table.values as [string[], string[], string[]];
    const { keys, people, presentations } = table;
    for (let i = 0; i < people.length; i++) {
      const p = countOf(people[i]!);
      const pr = countOf(presentations[i]!);
      batch.push(bundleId, table.id, v1[keys[3 * i]!], v2[keys[3 * i + 1]!], v3[keys[3 * i + 2]!], p, p === null ? 1 : 0, pr, pr === null ? 1 : 0);
      if (batch.length === 9 * CELLS_PER_INSERT) {
        st.insertCells.run(batch);
        batch.length = 0;
      }
    }
  }
  for (let i = 0; i < batch.length; i += 9) st.insertCell.run(batch.slice(i, i + 9));
}

export interface StoreOptions extends ImportOptions {
  /** Add the bundle to the combined cube inside this transaction (a single file); otherwise its batch does, at its end. */
  combineNow: boolean;
}

/** Logs a refusal (never throws: a log that cannot be written is said on stderr) and returns it. */
export function logRefusal(area: AreaDatabase, fileName: string, reason: RefusalReason, why: string, now = new Date()): ImportOutcome {
  const message = `${displayText(fileName)}: refused (${reason}): ${why}`;
  try {
    statements(area).log.run(fileName, 'refused', reason, message, null, isoSeconds(now));
  } catch (error) {
    console.error(`[needmap] could not log the refusal of ${displayText(fileName)}: ${(error as Error).message}`);
  }
  return { file: fileName, outcome: 'refused', reason, message };
}

/** Writes an outcome's log line again, as it was (its first one was rolled back with a commit group). */
export function logAgain(area: AreaDatabase, outcome: ImportOutcome & { outcome: 'refused' }, now = new Date()): void {
  try {
    statements(area).log.run(outcome.file, 'refused', outcome.reason, outcome.message, null, isoSeconds(now));
  } catch (error) {
    console.error(`[needmap] could not log the refusal of ${displayText(outcome.file)}: ${(error as Error).message}`);
  }
}

/** Stores a verified bundle in its own transaction and logs the outcome. Never throws. */
export function storeBundle(area: AreaDatabase, fileName: string, ready: ImportReady, options: StoreOptions): ImportOutcome {
  const now = options.now ?? new Date();
  const st = statements(area);
  const payload = ready.payload;
  try {
    return area.sqlite.transaction((): ImportOutcome => {
      const taxonomy = options.taxonomies.find((t) => t.version === payload.taxonomyVersion);
      if (!taxonomy) {
        throw new Refusal(
          'unknown-taxonomy-version',
          `taxonomy version "${payload.taxonomyVersion}" is not known to this app (it knows ${options.taxonomies.map((t) => t.version).join(', ')}); update NeedMap first.`,
        );
      }
      // Checked again inside the transaction: the register is what decides.
      const trusted = checkTrusted(st, ready);
      checkBinding(st, trusted, payload.organisation.id);
      const periodProblem = bundlePeriodProblem(payload, now);
      if (periodProblem) throw new Refusal('implausible-period', `the period is not plausible: ${periodProblem}.`);
      checkTaxonomyUniverse(ready, taxonomy);

      const same = st.samePayload.get(ready.payloadSha256) as { id: number; sequence: number } | undefined;
      if (same) throw new Refusal('duplicate', `this exact bundle (#${same.sequence}) was already imported.`);
      const period = { from: payload.period.from, to: payload.period.to };
      let superseded: ActiveBundle | null = null;
      for (const active of st.activeOfOrganisation.all(payload.organisation.id) as ActiveBundle[]) {
        const activePeriod = { from: active.from_month, to: active.to_month };
        if (!overlaps(period, activePeriod)) continue;
        if (active.from_month !== period.from || active.to_month !== period.to) {
          throw new Refusal(
            'overlapping-period',
            `${period.from} to ${period.to} overlaps ${active.from_month} to ${active.to_month} of bundle #${active.sequence}, already imported; only a bundle for exactly the same months can replace it.`,
          );
        }
        if (payload.sequence === active.sequence) throw new Refusal('duplicate', `bundle #${payload.sequence} for these months was already imported.`);
        if (payload.sequence < active.sequence)
          throw new Refusal('older-sequence', `bundle #${payload.sequence} is older than bundle #${active.sequence} for the same months, already imported.`);
        superseded = active;
      }

      // A bundle of an older taxonomy version is read through its mapping (core/taxonomy-mapping.ts).
      const tables = storedTables(ready, options.taxonomies);
      const bundleId = Number(
        st.insertBundle.run({
          organisationId: payload.organisation.id,
          organisationName: payload.organisation.name,
          fingerprint: ready.fingerprint,
          sequence: payload.sequence,
          fromMonth: period.from,
          toMonth: period.to,
          monthCount: payload.period.months.length,
          schema: payload.schema,
          taxonomyVersion: payload.taxonomyVersion,
          disclosurePolicy: payload.disclosure.policy,
          createdAt: payload.createdAt,
          fileName,
          payloadSha256: ready.payloadSha256,
          linkageKeyId: payload.matchKeys?.linkageKeyId ?? null,
          importedAt: isoSeconds(now),
          universe: JSON.stringify(Object.fromEntries(tables.map((t) => [t.id, t.universe]))),
        }).lastInsertRowid,
      );
      // The listed cells: every other cell of the universe was published as 0 and adds nothing to any sum (the stored universe says it is there).
      insertCells(st, bundleId, tables);
      const sectors = ready.tables.find((t) => t.id === 'sector-month-category')?.universe[0] ?? [];
      for (const sector of sectors) if (sector !== UNKNOWN) st.insertSector.run(bundleId, sector);
      if (payload.matchKeys) {
        const { keyTypes, rows } = payload.matchKeys;
        rows.forEach((row, i) => {
          row.keys.forEach((value, k) => {
            if (value !== '') st.insertMatchKey.run(bundleId, i, row.quarter, row.district, keyTypes[k], value);
          });
        });
      }
      st.bindOrganisation.run(payload.organisation.id, trusted.id);
      if (superseded) {
        // Taken out of the combined cube with this bundle's cells added, at the batch's end (or just below).
        st.supersede.run(bundleId, superseded.id);
        st.dropMatchKeys.run(superseded.id);
      }
      if (options.combineNow) combinePendingWithSql(area);
      const message =
        `${displayText(fileName)}: accepted: ${describe(payload)}` + (superseded ? `, replacing bundle #${superseded.sequence} for the same months.` : '.');
      st.log.run(fileName, 'accepted', null, message, bundleId, isoSeconds(now));
      return {
        file: fileName,
        outcome: 'accepted',
        bundleId,
        organisationId: payload.organisation.id,
        sequence: payload.sequence,
        supersededBundleId: superseded?.id ?? null,
        message,
      };
    })();
  } catch (error) {
    if (error instanceof Refusal) return logRefusal(area, fileName, error.reason, error.message, now);
    console.error(`[needmap] importing ${displayText(fileName)} failed:`, error);
    return logRefusal(area, fileName, 'internal-error', `could not be stored (${(error as Error).message}); nothing from it was kept.`, now);
  }
}
