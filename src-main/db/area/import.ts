/**
 * Importing bundles into the area database. Each file is verified in memory with the bundle
 * code's own verifier (signature, schema, payload shape), then checked here: taxonomy version
 * known, key trusted and not revoked, key bound to the organisation, period sane, and the
 * supersede rule (same organisation, same months: a newer sequence replaces the active bundle;
 * an older or equal one is refused; a different but overlapping period is refused). Every file
 * gets its own transaction and its own log line; a bad file never stops the others.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BUNDLE_FILE_EXTENSION } from '../../core/bundle/package.ts';
import { monthIndex } from '../../core/bundle/period.ts';
import type { BundlePayload } from '../../core/bundle/schema.ts';
import { VERIFY_LIMITS, verifyBundle, type VerifyFailureReason } from '../../core/bundle/verify.ts';
import { bundlePeriodProblem } from '../../core/area/checks.ts';
import { cellKeyTranslator, readableTaxonomyVersions } from '../../core/taxonomy-mapping.ts';
import { refreshDistinctPeople } from './distinct-summary.ts';
import type { AreaDatabase } from './open.ts';
import { isoNow } from './trust.ts';

export type RefusalReason =
  | VerifyFailureReason
  | 'unreadable-file'
  | 'unknown-taxonomy-version'
  | 'untrusted-key'
  | 'revoked-key'
  | 'organisation-mismatch'
  | 'implausible-period'
  | 'unsupported-table'
  | 'older-sequence'
  | 'duplicate'
  | 'overlapping-period'
  | 'internal-error';

export type ImportOutcome =
  | { file: string; outcome: 'accepted'; bundleId: number; organisationId: string; sequence: number; supersededBundleId: number | null; message: string }
  | { file: string; outcome: 'refused'; reason: RefusalReason; message: string };

export interface ImportOptions {
  /** Taxonomy versions this app knows (bundles naming another are refused). */
  knownTaxonomyVersions: readonly string[];
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

function statements(area: AreaDatabase) {
  const s = area.sqlite;
  return {
    trusted: s.prepare('SELECT id, name, organisation_id, revoked_at FROM trusted_keys WHERE fingerprint = ?'),
    bindOrganisation: s.prepare('UPDATE trusted_keys SET organisation_id = ? WHERE id = ? AND organisation_id IS NULL'),
    samePayload: s.prepare('SELECT id, sequence FROM imported_bundles WHERE payload_sha256 = ?'),
    activeOfOrganisation: s.prepare(
      'SELECT id, sequence, from_month, to_month, payload_sha256 FROM imported_bundles WHERE organisation_id = ? AND superseded_by IS NULL',
    ),
    insertBundle: s.prepare(`INSERT INTO imported_bundles
      (organisation_id, organisation_name, fingerprint, sequence, from_month, to_month, month_count, schema, taxonomy_version,
       disclosure_policy, created_at, file_name, payload_sha256, linkage_key_id, imported_at)
      VALUES (@organisationId, @organisationName, @fingerprint, @sequence, @fromMonth, @toMonth, @monthCount, @schema, @taxonomyVersion,
       @disclosurePolicy, @createdAt, @fileName, @payloadSha256, @linkageKeyId, @importedAt)`),
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
  return `${p.organisation.name} (${p.organisation.id}) bundle #${p.sequence}, ${p.period.from} to ${p.period.to}`;
}

/** Verifies and stores one bundle's bytes; logs and returns the outcome. Never throws. */
export async function importBundleBytes(area: AreaDatabase, fileName: string, bytes: Buffer, options: ImportOptions): Promise<ImportOutcome> {
  const now = options.now ?? new Date();
  const st = statements(area);
  const refuse = (reason: RefusalReason, why: string): ImportOutcome => {
    const message = `${fileName}: refused (${reason}): ${why}`;
    try {
      st.log.run(fileName, 'refused', reason, message, null, isoNow(now));
    } catch (error) {
      console.error(`[needmap] could not log the refusal of ${fileName}: ${(error as Error).message}`);
    }
    return { file: fileName, outcome: 'refused', reason, message };
  };

  const verified = await verifyBundle(bytes).catch((error: Error) => ({ ok: false as const, reason: 'malformed-zip' as const, message: error.message }));
  if (!verified.ok) return refuse(verified.reason, verified.message);
  const payload = verified.payload;
  const payloadSha256 = crypto.createHash('sha256').update(verified.payloadBytes).digest('hex');

  try {
    const outcome = area.sqlite.transaction((): ImportOutcome => {
      // Older versions with a mapping to a known one are read through it (core/taxonomy-mapping.ts).
      const readable = readableTaxonomyVersions(options.knownTaxonomyVersions);
      if (!readable.includes(payload.taxonomyVersion)) {
        throw new Refusal(
          'unknown-taxonomy-version',
          `taxonomy version "${payload.taxonomyVersion}" is not known to this app (it knows ${readable.join(', ')}); update NeedMap first.`,
        );
      }
      const trusted = st.trusted.get(verified.fingerprint) as
        { id: number; name: string; organisation_id: string | null; revoked_at: string | null } | undefined;
      if (!trusted) {
        throw new Refusal(
          'untrusted-key',
          `signed by an untrusted key with fingerprint ${verified.groupedFingerprint} (claims to be ${payload.organisation.name}); check this fingerprint with the organisation, then trust it.`,
        );
      }
      if (trusted.revoked_at !== null) {
        throw new Refusal('revoked-key', `signed by the key ${verified.groupedFingerprint} of ${trusted.name}, revoked on ${trusted.revoked_at}.`);
      }
      if (trusted.organisation_id !== null && trusted.organisation_id !== payload.organisation.id) {
        throw new Refusal(
          'organisation-mismatch',
          `the key ${verified.groupedFingerprint} belongs to organisation ${trusted.organisation_id}, but the bundle claims to be from ${payload.organisation.id}.`,
        );
      }
      const periodProblem = bundlePeriodProblem(payload, now);
      if (periodProblem) throw new Refusal('implausible-period', `the period is not plausible: ${periodProblem}.`);
      const badTable = payload.tables.find((t) => t.dimensions.length !== 3);
      if (badTable)
        throw new Refusal('unsupported-table', `table ${badTable.id} has ${badTable.dimensions.length} dimensions; this reader stores tables of 3.`);

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
          importedAt: isoNow(now),
        }).lastInsertRowid,
      );
      const currentKey = cellKeyTranslator(payload.taxonomyVersion, options.knownTaxonomyVersions);
      for (const table of payload.tables) {
        for (const c of table.cells) {
          const key = currentKey(table.id, c.key);
          const people = c.people.status === 'published' ? c.people.value : null;
          const presentations = c.presentations.status === 'published' ? c.presentations.value : null;
          st.insertCell.run(bundleId, table.id, key[0], key[1], key[2], people, people === null ? 1 : 0, presentations, presentations === null ? 1 : 0);
          if (table.id === 'sector-month-category' && key[0] !== 'unknown') st.insertSector.run(bundleId, key[0]);
        }
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
      const message = `${fileName}: accepted: ${describe(payload)}` + (superseded ? `, replacing bundle #${superseded.sequence} for the same months.` : '.');
      st.log.run(fileName, 'accepted', null, message, bundleId, isoNow(now));
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
    console.error(`[needmap] importing ${fileName} failed:`, error);
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

/** Reads and imports files one after another; an unreadable file is refused and the rest go on. */
export async function importBundleFiles(area: AreaDatabase, paths: readonly string[], options: ImportOptions): Promise<ImportOutcome[]> {
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
  const message = `${fileName}: refused (${reason}): ${why}`;
  area.sqlite
    .prepare('INSERT INTO import_log (file_name, outcome, reason_code, message, bundle_id, at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(fileName, 'refused', reason, message, null, isoNow(now));
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
