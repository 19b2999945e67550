/**
 * Exporting the signed, anonymised aggregate bundle: reads the case database for whole, closed
 * months into plain rows (only the fields the tables need — never names, dates of birth, full
 * postcodes or ids beyond this process), builds and protects the tables, signs, zips, and logs
 * what was sent. Organisation details and the disclosure policy live in `settings`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { DISCLOSURE_POLICIES, DISCLOSURE_POLICY_NAMES, type DisclosurePolicyName } from '../../core/bundle/disclosure.ts';
import { OrganisationSetting } from '../../core/bundle/organisation.ts';
import { packBundle } from '../../core/bundle/package.ts';
import { buildMatchKeySection, type MatchKeyPerson } from '../../core/bundle/match-keys.ts';
import { buildPayload } from '../../core/bundle/payload.ts';
import { exportPeriodError, monthFromIndex, monthIndex, monthsBetween } from '../../core/bundle/period.ts';
import type { BundlePayload } from '../../core/bundle/schema.ts';
import { wholeQuarters, type OutcomeRow, type PresentationRow, type Outcome } from '../../core/bundle/tables.ts';
import type { Taxonomy } from '../../core/taxonomy.ts';
import type { CaseDatabase, CaseDb } from '../open.ts';
import { RecordError } from '../../core/errors.ts';
import { bundleExports, settings } from '../schema.ts';
import { unlockLinkageKey } from './linkage-key.ts';
import { unlockSigningKey, type KeySources } from './signing-keys.ts';

export const ORGANISATION_SETTING = 'organisation';
export const POLICY_SETTING = 'bundle.disclosurePolicy';
export { OrganisationSetting };

export interface BundleSettings {
  organisation: OrganisationSetting | null;
  policy: DisclosurePolicyName;
}

function readSetting(db: CaseDb, key: string): unknown {
  const row = db.select().from(settings).where(eq(settings.key, key)).get();
  return row ? JSON.parse(row.value) : undefined;
}

function writeSetting(db: CaseDb, key: string, value: unknown): void {
  const text = JSON.stringify(value);
  db.insert(settings)
    .values({ key, value: text })
    .onConflictDoUpdate({ target: settings.key, set: { value: text } })
    .run();
}

export function getBundleSettings(db: CaseDb): BundleSettings {
  const organisation = OrganisationSetting.safeParse(readSetting(db, ORGANISATION_SETTING));
  const policy = z.enum(DISCLOSURE_POLICY_NAMES).safeParse(readSetting(db, POLICY_SETTING));
  return { organisation: organisation.success ? organisation.data : null, policy: policy.success ? policy.data : 'cell-key' };
}

export function setBundleSettings(db: CaseDb, change: { organisation?: OrganisationSetting; policy?: DisclosurePolicyName }): BundleSettings {
  db.transaction((tx) => {
    if (change.organisation) writeSetting(tx as unknown as CaseDb, ORGANISATION_SETTING, OrganisationSetting.parse(change.organisation));
    if (change.policy) writeSetting(tx as unknown as CaseDb, POLICY_SETTING, change.policy);
  });
  return getBundleSettings(db);
}

/** The taxonomy's category and issue codes: every bundle table ranges over all of them. */
export function taxonomyCodes(taxonomy: Taxonomy): { categories: string[]; issues: string[] } {
  return { categories: taxonomy.categories.map((c) => c.code), issues: taxonomy.issues.map((i) => i.code) };
}

function monthStart(month: string): string {
  return `${month}-01`;
}

function nextMonthStart(month: string): string {
  return monthStart(monthFromIndex(monthIndex(month) + 1));
}

/**
 * Presentations in [start, end): clients scanned in id order (CROSS JOIN fixes that order), each
 * client's presentations read from the covering index client_issues_client_date_code_idx. This
 * avoids one random lookup into client_issues and into clients per presentation, which is what
 * the date index made the planner do. SQLite returns each column as ONE JSON array (a single row),
 * so the rows cross from SQLite into JavaScript once rather than once per presentation.
 */
const PRESENTATION_COLUMNS_SQL = `SELECT json_group_array(ci.client_id), json_group_array(c.record_key),
    json_group_array(substr(ci.identified_on, 1, 7)), json_group_array(c.postcode_sector),
    json_group_array(c.postcode_district), json_group_array(c.imd_decile), json_group_array(c.imd_edition), json_group_array(ci.issue_code)
  FROM clients c CROSS JOIN client_issues ci INDEXED BY client_issues_client_date_code_idx ON ci.client_id = c.id
  WHERE ci.identified_on >= ? AND ci.identified_on < ?`;

type PresentationColumns = [number[], number[], string[], (string | null)[], (string | null)[], (number | null)[], (string | null)[], string[]];

/** Only the columns the tables need, as plain rows, for identified_on within [from, to]. */
export function readExportRows(
  caseDb: CaseDatabase,
  taxonomy: Taxonomy,
  from: string,
  to: string,
): { presentations: PresentationRow[]; outcomes: OutcomeRow[] } {
  const categoryOf = new Map(taxonomy.issues.map((i) => [i.code, i.category]));
  const start = monthStart(from);
  const end = nextMonthStart(to);
  const columnsJson = caseDb.sqlite.prepare(PRESENTATION_COLUMNS_SQL).raw().get(start, end) as string[];
  const [clientIds, recordKeys, months, sectors, districts, deciles, editions, issueCodes] = columnsJson.map(
    (c) => JSON.parse(c) as unknown,
  ) as PresentationColumns;
  const presentations: PresentationRow[] = new Array<PresentationRow>(clientIds.length);
  for (let i = 0; i < clientIds.length; i++) {
    presentations[i] = {
      clientId: clientIds[i]!,
      recordKey: recordKeys[i]!,
      month: months[i]!,
      sector: sectors[i]!,
      district: districts[i]!,
      imdDecile: deciles[i]!,
      imdEdition: editions[i]!,
      issueCode: issueCodes[i]!,
      category: categoryOf.get(issueCodes[i]!) ?? 'unknown',
    };
  }

  // The first time in the period each within-remit issue reached each outcome.
  const outcomeRows = caseDb.sqlite
    .prepare(
      `SELECT ci.client_id, c.record_key, substr(MIN(e.changed_on), 1, 7), ci.issue_code, e.status
       FROM issue_status_events e
       JOIN client_issues ci ON ci.id = e.client_issue_id
       JOIN clients c ON c.id = ci.client_id
       WHERE ci.within_remit = 1 AND e.status IN ('improved', 'resolved', 'closed_unresolved')
         AND e.changed_on >= ? AND e.changed_on < ?
       GROUP BY e.client_issue_id, e.status`,
    )
    .raw()
    .all(start, end) as [number, number, string, string, string][];
  const outcomes = outcomeRows.map(([clientId, recordKey, month, issueCode, status]) => ({
    clientId,
    recordKey,
    month,
    category: categoryOf.get(issueCode) ?? 'unknown',
    outcome: (status === 'closed_unresolved' ? 'unresolved' : status) as Outcome,
  }));
  return { presentations, outcomes };
}

/**
 * Each person who presented an issue in [from, to], once per calendar quarter — the same people
 * the tables count — with the identifiers match keys are made from. These personal fields stay
 * in this process: only their keyed hashes leave (buildMatchKeySection).
 */
export function readMatchKeyPeople(caseDb: CaseDatabase, from: string, to: string): MatchKeyPerson[] {
  const rows = caseDb.sqlite
    .prepare(
      `SELECT DISTINCT substr(ci.identified_on, 1, 4) || '-Q' || ((CAST(substr(ci.identified_on, 6, 2) AS INTEGER) + 2) / 3),
              c.postcode_district, c.first_name, c.last_name, c.date_of_birth, c.external_id_type, c.external_id, c.erased_at IS NOT NULL, c.record_key, c.id
       FROM clients c CROSS JOIN client_issues ci INDEXED BY client_issues_client_date_code_idx ON ci.client_id = c.id
       WHERE ci.identified_on >= ? AND ci.identified_on < ?`,
    )
    .raw()
    .all(monthStart(from), nextMonthStart(to)) as [string, string | null, string, string, string, string | null, string | null, number, number, number][];
  return rows.map(([quarter, district, firstName, lastName, dateOfBirth, externalIdType, externalId, erased, recordKey]) => ({
    quarter,
    district,
    firstName,
    lastName,
    dateOfBirth,
    externalIdType,
    externalId,
    erased: erased === 1,
    recordKey,
  }));
}

export interface ExportRequest {
  from: string;
  to: string;
  now?: Date;
  softwareVersion: string;
  /** Unlocks the signing key and the stored area linkage key. */
  keySources?: KeySources;
  /**
   * The area linkage key for this export only (e.g. `needmap export --linkage-key-file`), already
   * validated with LinkageKey; absent = the stored one if set, else no match keys.
   */
  linkageKey?: string;
}

function checkPeriod(from: string, to: string, now: Date): void {
  const problem = exportPeriodError(from, to, now);
  if (problem) {
    const field = /first month/.test(problem) ? 'from' : 'to';
    throw new RecordError('invalid_input', problem, { [field]: [problem] });
  }
}

function requireOrganisation(db: CaseDb): OrganisationSetting {
  const { organisation } = getBundleSettings(db);
  if (!organisation) {
    throw new RecordError('invalid_input', 'Set the organisation name and id (bundle settings) before exporting.', {
      organisation: ['Set the organisation name and id before exporting.'],
    });
  }
  return organisation;
}

function nextSequence(db: CaseDb): number {
  const row = db
    .select({ n: sql<number | null>`MAX(${bundleExports.sequence})` })
    .from(bundleExports)
    .get();
  return (row?.n ?? 0) + 1;
}

/**
 * The payload exactly as it would leave now, without signing or logging anything (the preview).
 * `fingerprint` is the current key's, or zeros when no key exists yet.
 */
export function previewPayload(caseDb: CaseDatabase, taxonomy: Taxonomy, request: ExportRequest & { fingerprint: string }): BundlePayload {
  const now = request.now ?? new Date();
  checkPeriod(request.from, request.to, now);
  const settingsNow = getBundleSettings(caseDb.db);
  const organisation = requireOrganisation(caseDb.db);
  const rows = readExportRows(caseDb, taxonomy, request.from, request.to);
  const linkageKey = request.linkageKey ?? unlockLinkageKey(caseDb.db, request.keySources ?? {});
  const policy = DISCLOSURE_POLICIES[settingsNow.policy];
  const matchKeys =
    linkageKey === null
      ? undefined
      : buildMatchKeySection(linkageKey, readMatchKeyPeople(caseDb, request.from, request.to), {
          policy,
          organisationId: organisation.id,
          wholeQuarters: wholeQuarters(monthsBetween(request.from, request.to)),
        });
  return buildPayload({
    organisation,
    fingerprint: request.fingerprint,
    taxonomyVersion: taxonomy.version,
    ...taxonomyCodes(taxonomy),
    from: request.from,
    to: request.to,
    sequence: nextSequence(caseDb.db),
    createdAt: now,
    softwareVersion: request.softwareVersion,
    policy,
    ...rows,
    ...(matchKeys ? { matchKeys } : {}),
  });
}

export interface ExportResult {
  sequence: number;
  fingerprint: string;
  payloadSha256: string;
  /** The complete .needmap-bundle file. */
  file: Buffer;
  payload: BundlePayload;
}

/** Builds, signs and zips a bundle and logs it; `outFile`, when given, is in place before the log commits. */
export async function exportBundle(caseDb: CaseDatabase, taxonomy: Taxonomy, request: ExportRequest & { outFile?: string }): Promise<ExportResult> {
  const now = request.now ?? new Date();
  checkPeriod(request.from, request.to, now);
  requireOrganisation(caseDb.db);
  const key = unlockSigningKey(caseDb.db, request.keySources ?? {});
  const payload = previewPayload(caseDb, taxonomy, { ...request, now, fingerprint: key.fingerprint });
  const { file, payloadBytes } = await packBundle(payload, key);
  const payloadSha256 = crypto.createHash('sha256').update(payloadBytes).digest('hex');

  const partial = request.outFile ? `${request.outFile}.partial` : null;
  if (partial) fs.writeFileSync(partial, file, { flag: 'w' });
  try {
    caseDb.db.transaction((tx) => {
      // Another export since the preview would reuse this number: refuse rather than send two #n.
      if (nextSequence(tx as unknown as CaseDb) !== payload.sequence) {
        throw new RecordError('conflict', 'Another export was made at the same time; please export again.');
      }
      tx.insert(bundleExports)
        .values({
          sequence: payload.sequence,
          fromMonth: request.from,
          toMonth: request.to,
          createdAt: payload.createdAt,
          fingerprint: key.fingerprint,
          policy: payload.disclosure.policy,
          payloadSha256,
          byteSize: file.length,
          file: request.outFile ? path.resolve(request.outFile) : null,
        })
        .run();
      // Inside the transaction: if the file cannot be put in place, nothing is logged as sent.
      if (partial) fs.renameSync(partial, request.outFile!);
    });
  } catch (error) {
    if (partial) fs.rmSync(partial, { force: true });
    throw error;
  }
  return { sequence: payload.sequence, fingerprint: key.fingerprint, payloadSha256, file, payload };
}

export function exportLog(db: CaseDb) {
  return db.select().from(bundleExports).orderBy(desc(bundleExports.sequence)).all();
}

/** A suggested file name: organisation id, months and sequence number. */
export function bundleFileName(organisationId: string, from: string, to: string, sequence: number): string {
  return `${organisationId}-${from}_${to}-${String(sequence).padStart(4, '0')}.needmap-bundle`;
}
