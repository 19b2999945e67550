/**
 * Importing bundles into the area database. Each file is verified in memory with the bundle
 * code's own verifier; the signing key must be trusted and not revoked before the payload is
 * even inflated (a large file from a stranger is never parsed). Then the signature, schema and
 * payload checks (core/bundle/payload-checks.ts), and here: taxonomy version known and every
 * table complete over its codes, the key and the organisation bound to each other, the period
 * over, and the supersede rule (same organisation, same months: a newer sequence replaces the
 * active bundle; an older or equal one is refused; a different but overlapping period is
 * refused). Every file gets its own transaction and its own log line; a bad file never stops the
 * others, and a refused one changes nothing already imported. Text from a file (its name, the
 * organisation's name) is written into messages with control characters escaped.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { displayText } from '../../core/display-text.ts';
import { BUNDLE_FILE_EXTENSION, groupedFingerprint } from '../../core/bundle/package.ts';
import { monthIndex } from '../../core/bundle/period.ts';
import { SUPPRESSED, TABLE_SPECS, type BundlePayload } from '../../core/bundle/schema.ts';
import { UNKNOWN } from '../../core/bundle/tables.ts';
import { BundleVerifyError, VERIFY_LIMITS, verifyBundleOrThrow, type SignerIdentity, type VerifyFailureReason } from '../../core/bundle/verify.ts';
import { bundlePeriodProblem } from '../../core/area/checks.ts';
import { cellKeyTranslator, readableTaxonomyCodes, universeTranslator } from '../../core/taxonomy-mapping.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import { taxonomyCodes } from '../bundle/export.ts';
import { refreshDistinctPeople } from './distinct-summary.ts';
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

/** The codes of the taxonomy this app carries (first), and of the older versions mapped to it, as import options expect them. */
export function taxonomiesOf(taxonomy: Taxonomy): TaxonomyCodes[] {
  return readableTaxonomyCodes({ version: taxonomy.version, ...taxonomyCodes(taxonomy) });
}

export interface ImportOptions {
  /** Taxonomy versions this app knows (bundles naming another are refused). */
  taxonomies: readonly TaxonomyCodes[];
  now?: Date;
}

class Refusal extends Error {
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

function statements(area: AreaDatabase) {
  const s = area.sqlite;
  return {
    trusted: s.prepare('SELECT id, name, fingerprint, organisation_id, revoked_at FROM trusted_keys WHERE fingerprint = ?'),
    boundTo: s.prepare('SELECT id, name, fingerprint, organisation_id, revoked_at FROM trusted_keys WHERE organisation_id = ? ORDER BY id'),
    bindOrganisation: s.prepare('UPDATE trusted_keys SET organisation_id = ? WHERE id = ? AND organisation_id IS NULL'),
    samePayload: s.prepare('SELECT id, sequence FROM imported_bundles WHERE payload_sha256 = ?'),
    activeOfOrganisation: s.prepare(
      'SELECT id, sequence, from_month, to_month, payload_sha256 FROM imported_bundles WHERE organisation_id = ? AND superseded_by IS NULL',
    ),
    insertBundle: s.prepare(`INSERT INTO imported_bundles
      (organisation_id, organisation_name, fingerprint, sequence, from_month, to_month, month_count, schema, taxonomy_version,
       disclosure_policy, created_at, file_name, payload_sha256, linkage_key_id, imported_at, universe)
      VALUES (@organisationId, @organisationName, @fingerprint, @sequence, @fromMonth, @toMonth, @monthCount, @schema, @taxonomyVersion,
       @disclosurePolicy, @createdAt, @fileName, @payloadSha256, @linkageKeyId, @importedAt, @universe)`),
    insertCell: s.prepare(`INSERT INTO bundle_cells
      (bundle_id, table_id, k1, k2, k3, people, people_suppressed, presentations, presentations_suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertSector: s.prepare('INSERT OR IGNORE INTO bundle_sectors (bundle_id, sector) VALUES (?, ?)'),
    insertMatchKey: s.prepare('INSERT INTO match_keys (bundle_id, row, quarter, district, key_type, key_value) VALUES (?, ?, ?, ?, ?, ?)'),
    supersede: s.prepare('UPDATE imported_bundles SET superseded_by = ? WHERE id = ?'),
    // Adds (sign 1) or takes away (sign -1) one bundle's cells in the combined cube.
    combine: s.prepare(`INSERT INTO combined_cells
      (table_id, k1, k2, k3, people, people_suppressed, presentations, presentations_suppressed, organisations)
      SELECT table_id, k1, k2, k3, @sign * coalesce(people, 0), @sign * people_suppressed, @sign * coalesce(presentations, 0),
             @sign * presentations_suppressed, @sign
      FROM bundle_cells WHERE bundle_id = @bundleId AND true
      ON CONFLICT (table_id, k1, k2, k3) DO UPDATE SET
        people = people + excluded.people,
        people_suppressed = people_suppressed + excluded.people_suppressed,
        presentations = presentations + excluded.presentations,
        presentations_suppressed = presentations_suppressed + excluded.presentations_suppressed,
        organisations = organisations + excluded.organisations`),
    dropEmpty: s.prepare('DELETE FROM combined_cells WHERE organisations = 0'),
    // Match keys of a superseded bundle are no longer needed: keep as little pseudonymous data as possible.
    dropMatchKeys: s.prepare('DELETE FROM match_keys WHERE bundle_id = ?'),
    log: s.prepare('INSERT INTO import_log (file_name, outcome, reason_code, message, bundle_id, at) VALUES (?, ?, ?, ?, ?, ?)'),
  };
}

function overlaps(a: { from: string; to: string }, b: { from: string; to: string }): boolean {
  return monthIndex(a.from) <= monthIndex(b.to) && monthIndex(b.from) <= monthIndex(a.to);
}

function describe(p: BundlePayload): string {
  return `${displayText(p.organisation.name)} (${p.organisation.id}) bundle #${p.sequence}, ${p.period.from} to ${p.period.to}`;
}

function keyLabel(key: TrustedRow): string {
  return `${groupedFingerprint(key.fingerprint)} (${displayText(key.name)})`;
}

/** The cheap check, before the payload is read: the key must be trusted and not revoked. */
function checkTrusted(st: ReturnType<typeof statements>, signer: SignerIdentity): TrustedRow {
  const trusted = st.trusted.get(signer.fingerprint) as TrustedRow | undefined;
  if (!trusted) {
    throw new Refusal(
      'untrusted-key',
      `signed by an untrusted key with fingerprint ${signer.groupedFingerprint}; check this fingerprint with the organisation, then trust it (its payload was not read).`,
    );
  }
  if (trusted.revoked_at !== null) {
    throw new Refusal('revoked-key', `signed by the key ${signer.groupedFingerprint} of ${displayText(trusted.name)}, revoked on ${trusted.revoked_at}.`);
  }
  return trusted;
}

/**
 * A key speaks for one organisation, and an organisation's bundles come only from keys bound to
 * it: refuses a key bound to another id, and an unbound key claiming an id that keys are bound to.
 */
function checkBinding(st: ReturnType<typeof statements>, key: TrustedRow, organisationId: string): void {
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
function checkTaxonomyUniverse(payload: BundlePayload, codes: TaxonomyCodes): void {
  const expected = {
    category: [...new Set([...codes.categories, UNKNOWN])].sort(),
    issue: [...new Set([...codes.issues, UNKNOWN])].sort(),
  };
  for (const table of payload.tables) {
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

/** Verifies and stores one bundle's bytes; logs and returns the outcome. Never throws. */
export async function importBundleBytes(area: AreaDatabase, fileName: string, bytes: Buffer, options: ImportOptions): Promise<ImportOutcome> {
  const now = options.now ?? new Date();
  const st = statements(area);
  const refuse = (reason: RefusalReason, why: string): ImportOutcome => {
    const message = `${displayText(fileName)}: refused (${reason}): ${why}`;
    try {
      st.log.run(fileName, 'refused', reason, message, null, isoSeconds(now));
    } catch (error) {
      console.error(`[needmap] could not log the refusal of ${displayText(fileName)}: ${(error as Error).message}`);
    }
    return { file: fileName, outcome: 'refused', reason, message };
  };

  let verified;
  try {
    verified = await verifyBundleOrThrow(bytes, { checkSigner: (signer) => void checkTrusted(st, signer) });
  } catch (error) {
    if (error instanceof Refusal || error instanceof BundleVerifyError) return refuse(error.reason, error.message);
    return refuse('malformed-zip', (error as Error).message);
  }
  const payload = verified.payload;
  const payloadSha256 = crypto.createHash('sha256').update(verified.payloadBytes).digest('hex');

  try {
    const outcome = area.sqlite.transaction((): ImportOutcome => {
      const taxonomy = options.taxonomies.find((t) => t.version === payload.taxonomyVersion);
      if (!taxonomy) {
        throw new Refusal(
          'unknown-taxonomy-version',
          `taxonomy version "${payload.taxonomyVersion}" is not known to this app (it knows ${options.taxonomies.map((t) => t.version).join(', ')}); update NeedMap first.`,
        );
      }
      // Checked again inside the transaction: the register is what decides.
      const trusted = checkTrusted(st, verified);
      checkBinding(st, trusted, payload.organisation.id);
      const periodProblem = bundlePeriodProblem(payload, now);
      if (periodProblem) throw new Refusal('implausible-period', `the period is not plausible: ${periodProblem}.`);
      checkTaxonomyUniverse(payload, taxonomy);

      const same = st.samePayload.get(payloadSha256) as { id: number; sequence: number } | undefined;
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
      const currentVersions = options.taxonomies.map((t) => t.version);
      const currentKey = cellKeyTranslator(payload.taxonomyVersion, currentVersions);
      const currentUniverse = universeTranslator(payload.taxonomyVersion, currentVersions);
      const bundleId = Number(
        st.insertBundle.run({
          organisationId: payload.organisation.id,
          organisationName: payload.organisation.name,
          fingerprint: verified.fingerprint,
          sequence: payload.sequence,
          fromMonth: period.from,
          toMonth: period.to,
          monthCount: payload.period.months.length,
          schema: payload.schema,
          taxonomyVersion: payload.taxonomyVersion,
          disclosurePolicy: payload.disclosure.policy,
          createdAt: payload.createdAt,
          fileName,
          payloadSha256,
          linkageKeyId: payload.matchKeys?.linkageKeyId ?? null,
          importedAt: isoSeconds(now),
          universe: JSON.stringify(Object.fromEntries(payload.tables.map((t) => [t.id, currentUniverse(t.id, t.universe)]))),
        }).lastInsertRowid,
      );
      for (const table of payload.tables) {
        // The listed cells: every other cell of the universe was published as 0 and adds nothing to any sum (the stored universe says it is there).
        for (const c of table.cells) {
          const key = currentKey(table.id, c.key);
          const people = c.people === SUPPRESSED ? null : c.people;
          const presentations = c.presentations === SUPPRESSED ? null : c.presentations;
          st.insertCell.run(bundleId, table.id, key[0], key[1], key[2], people, people === null ? 1 : 0, presentations, presentations === null ? 1 : 0);
        }
        if (table.id === 'sector-month-category') for (const sector of table.universe[0]!) if (sector !== UNKNOWN) st.insertSector.run(bundleId, sector);
      }
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
        st.combine.run({ sign: -1, bundleId: superseded.id });
        st.dropEmpty.run();
        st.supersede.run(bundleId, superseded.id);
        st.dropMatchKeys.run(superseded.id);
      }
      st.combine.run({ sign: 1, bundleId });
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
    return outcome;
  } catch (error) {
    if (error instanceof Refusal) return refuse(error.reason, error.message);
    console.error(`[needmap] importing ${displayText(fileName)} failed:`, error);
    return refuse('internal-error', `could not be stored (${(error as Error).message}); nothing from it was kept.`);
  }
}

/** Every *.needmap-bundle in a folder (not recursive), in name order; a file stays a file. */
export function expandBundlePaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = fs.statSync(p).isDirectory();
    } catch {
      // Missing files are reported by importBundleFiles as unreadable.
    }
    if (isDir) {
      for (const name of fs.readdirSync(p).sort()) if (name.endsWith(BUNDLE_FILE_EXTENSION)) out.push(path.join(p, name));
    } else out.push(p);
  }
  return out;
}

/** A bundle handed over as bytes (a file chosen in the browser) rather than by path. */
export interface BundleUpload {
  name: string;
  bytes: Buffer;
}

/** The files at `paths` (folders expanded) as one batch: `needmap area import`. */
export function importBundleFiles(area: AreaDatabase, paths: readonly string[], options: ImportOptions): Promise<ImportOutcome[]> {
  return importBundleBatch(area, paths, [], options);
}

/**
 * One import batch: the files at `paths`, then `uploads`, one after another (an unreadable file is
 * refused and the rest go on), and then the distinct-people figures worked out once for the batch.
 */
export async function importBundleBatch(
  area: AreaDatabase,
  paths: readonly string[],
  uploads: readonly BundleUpload[],
  options: ImportOptions,
): Promise<ImportOutcome[]> {
  const results: ImportOutcome[] = [];
  for (const file of expandBundlePaths(paths)) {
    const name = path.basename(file);
    let bytes: Buffer;
    try {
      const size = fs.statSync(file).size;
      if (size > VERIFY_LIMITS.fileBytes) {
        results.push(logRefusal(area, name, 'oversized-file', `the file is ${size} bytes; a bundle is at most ${VERIFY_LIMITS.fileBytes}.`, options.now));
        continue;
      }
      bytes = fs.readFileSync(file);
    } catch (error) {
      results.push(
        logRefusal(area, name, 'unreadable-file', `could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, options.now),
      );
      continue;
    }
    results.push(await importBundleBytes(area, name, bytes, options));
  }
  for (const upload of uploads) results.push(await importBundleBytes(area, upload.name, upload.bytes, options));
  // Once per batch rather than per file; a batch cut short is caught up on the next read.
  if (results.some((r) => r.outcome === 'accepted')) {
    try {
      refreshDistinctPeople(area);
    } catch (error) {
      console.error('[needmap] could not refresh the distinct-people figures (they are recomputed on the next read):', error);
    }
  }
  return results;
}

function logRefusal(area: AreaDatabase, fileName: string, reason: RefusalReason, why: string, now = new Date()): ImportOutcome {
  const message = `${displayText(fileName)}: refused (${reason}): ${why}`;
  area.sqlite
    .prepare('INSERT INTO import_log (file_name, outcome, reason_code, message, bundle_id, at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(fileName, 'refused', reason, message, null, isoSeconds(now));
  return { file: fileName, outcome: 'refused', reason, message };
}

export interface ImportLogEntry {
  id: number;
  fileName: string;
  outcome: 'accepted' | 'refused';
  reasonCode: string | null;
  message: string;
  bundleId: number | null;
  at: string;
}

export function importLogEntries(area: AreaDatabase, limit = 200): ImportLogEntry[] {
  return area.sqlite
    .prepare(
      'SELECT id, file_name AS fileName, outcome, reason_code AS reasonCode, message, bundle_id AS bundleId, at FROM import_log ORDER BY id DESC LIMIT ?',
    )
    .all(limit) as ImportLogEntry[];
}

export interface ImportedBundleSummary {
  id: number;
  organisationId: string;
  organisationName: string;
  fingerprint: string;
  sequence: number;
  fromMonth: string;
  toMonth: string;
  taxonomyVersion: string;
  disclosurePolicy: string;
  fileName: string;
  importedAt: string;
  supersededBy: number | null;
  matchKeys: boolean;
}

export function importedBundles(area: AreaDatabase): ImportedBundleSummary[] {
  return (
    area.sqlite
      .prepare(
        `SELECT id, organisation_id AS organisationId, organisation_name AS organisationName, fingerprint, sequence, from_month AS fromMonth,
                to_month AS toMonth, taxonomy_version AS taxonomyVersion, disclosure_policy AS disclosurePolicy, file_name AS fileName,
                imported_at AS importedAt, superseded_by AS supersededBy, linkage_key_id IS NOT NULL AS matchKeys
         FROM imported_bundles ORDER BY organisation_id, from_month, sequence`,
      )
      .all() as (Omit<ImportedBundleSummary, 'matchKeys'> & { matchKeys: number })[]
  ).map((b) => ({ ...b, matchKeys: b.matchKeys === 1 }));
}
