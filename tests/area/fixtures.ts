/**
 * Area-picture fixtures: organisations' signing keys, demo case databases filled with
 * `needmap demo`'s generator, and real signed bundles made by the bundle export code.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { afterEach } from 'vitest';
import { demoPostcodes, loadNeighbourhoods, loadTaxonomy } from '../../src-main/app-context.ts';
import { DISCLOSURE_POLICIES, type DisclosurePolicyName } from '../../src-main/core/bundle/disclosure.ts';
import { canonicalBytes, fingerprintOf, packBundle, signBytes, zipBundle } from '../../src-main/core/bundle/package.ts';
import { buildPayload } from '../../src-main/core/bundle/payload.ts';
import { monthFromIndex, monthIndex, quarterOf } from '../../src-main/core/bundle/period.ts';
import type { BundlePayload, MatchKeySection } from '../../src-main/core/bundle/schema.ts';
import type { OutcomeRow, PresentationRow } from '../../src-main/core/bundle/tables.ts';
import { generateDemoClients, lastWholeMonth } from '../../src-main/core/demo.ts';
import { geographyFor } from '../../src-main/core/geography.ts';
import { openAreaDatabase, type AreaDatabase } from '../../src-main/db/area/open.ts';
import { writeDemoClients } from '../../src-main/db/demo.ts';
import { taxonomiesOf, type ImportOptions } from '../../src-main/db/area/import.ts';
import { readExportRows, taxonomyCodes } from '../../src-main/db/bundle/export.ts';
import { openCaseDatabase } from '../../src-main/db/open.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { tempDir } from '../helpers.ts';

export const paths = defaultAppPaths();
export const taxonomy = loadTaxonomy(paths);
/** Import options with the taxonomy this app carries. */
export const importOptions: ImportOptions = { taxonomies: taxonomiesOf(taxonomy) };
const neighbourhoods = loadNeighbourhoods(paths);

const openAreas: AreaDatabase[] = [];
afterEach(() => {
  for (const a of openAreas.splice(0)) a.close();
});

export function tempArea(file = path.join(tempDir(), 'area.db')): AreaDatabase {
  const area = openAreaDatabase(file, { migrationsDir: paths.migrationsDir });
  openAreas.push(area);
  return area;
}

export interface OrgKey {
  privateKey: crypto.KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

export function newKey(): OrgKey {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: fingerprintOf(publicKey) };
}

/** The three months of the last calendar quarter that is over, and the quarter. */
export function lastQuarter(): { months: string[]; quarter: string } {
  const last = monthIndex(lastWholeMonth());
  const end = last - ((last + 1) % 3); // the last month of a quarter (Mar, Jun, Sep, Dec) at or before `last`
  const months = [end - 2, end - 1, end].map(monthFromIndex);
  return { months, quarter: quarterOf(months[2]!) };
}

/** The last `n` whole months, oldest first. */
export function lastMonths(n: number): string[] {
  const last = monthIndex(lastWholeMonth());
  return Array.from({ length: n }, (_, i) => monthFromIndex(last - n + 1 + i));
}

/** Presentation and outcome rows exported from a fresh demo case database (seeded, so repeatable). */
export function demoRows(seed: number, clients: number, from: string, to: string): { presentations: PresentationRow[]; outcomes: OutcomeRow[] } {
  const file = path.join(tempDir(), `demo-${seed}.db`);
  const caseDb = openCaseDatabase(file, { migrationsDir: paths.migrationsDir });
  try {
    writeDemoClients(
      caseDb,
      generateDemoClients({
        seed,
        clients,
        endMonth: lastWholeMonth(),
        issues: taxonomy.issues,
        postcodes: demoPostcodes(paths, neighbourhoods),
        remitCategories: ['money-debt', 'benefits', 'housing'],
      }),
      (postcode) => geographyFor(postcode, neighbourhoods),
    );
    return readExportRows(caseDb, taxonomy, from, to);
  } finally {
    caseDb.close();
  }
}

export interface BundleSpec {
  org: { id: string; name: string };
  key: OrgKey;
  from: string;
  to: string;
  sequence: number;
  rows: { presentations: readonly PresentationRow[]; outcomes: readonly OutcomeRow[] };
  policy?: DisclosurePolicyName;
  matchKeys?: MatchKeySection;
  taxonomyVersion?: string;
  /** The taxonomy codes the tables range over (default: the current taxonomy's). */
  codes?: { categories: readonly string[]; issues: readonly string[] };
  createdAt?: Date;
}

export function payloadOf(spec: BundleSpec): BundlePayload {
  return buildPayload({
    organisation: spec.org,
    fingerprint: spec.key.fingerprint,
    taxonomyVersion: spec.taxonomyVersion ?? taxonomy.version,
    ...(spec.codes ?? taxonomyCodes(taxonomy)),
    from: spec.from,
    to: spec.to,
    sequence: spec.sequence,
    createdAt: spec.createdAt ?? new Date(),
    softwareVersion: '0.1.0',
    policy: DISCLOSURE_POLICIES[spec.policy ?? 'cell-key'],
    ...spec.rows,
    ...(spec.matchKeys ? { matchKeys: spec.matchKeys } : {}),
  });
}

export async function bundleOf(spec: BundleSpec): Promise<{ file: Buffer; payload: BundlePayload }> {
  const payload = payloadOf(spec);
  return { file: (await packBundle(payload, spec.key)).file, payload };
}

/** Signs and zips any JSON value as bundle.json (for payloads the types would not allow). */
export async function signedRaw(value: unknown, key: OrgKey): Promise<Buffer> {
  const bytes = canonicalBytes(value as BundlePayload);
  return zipBundle({ payload: bytes, signature: signBytes(bytes, key.privateKey), publicKeyPem: key.publicKeyPem });
}

/** Presentation rows with exactly `perMonth[i]` presentations (distinct people) in sector × category for months[i]. */
export function constructedRows(
  sector: string,
  category: string,
  issueCode: string,
  months: readonly string[],
  perMonth: readonly number[],
): PresentationRow[] {
  const rows: PresentationRow[] = [];
  let id = 1;
  months.forEach((month, i) => {
    for (let n = 0; n < perMonth[i]!; n++, id++) {
      rows.push({
        clientId: id,
        recordKey: (id * 2654435761) >>> 1,
        month,
        sector,
        district: sector.split(' ')[0]!,
        imdDecile: 3,
        imdEdition: 'IoD2025',
        issueCode,
        category,
      });
    }
  });
  return rows;
}

export function matchKeySection(rows: { quarter: string; district: string; keys: [string, string] }[]): MatchKeySection {
  const sortId = (r: { quarter: string; district: string; keys: string[] }) => `${r.quarter}\u0000${r.district}\u0000${r.keys.join('\u0000')}`;
  return {
    notice: 'Pseudonymised personal data: shared under the area data-sharing agreement.',
    algorithm: 'HMAC-SHA256/HKDF-SHA256',
    linkageKeyId: '0123456789abcdef',
    keyTypes: ['nhs', 'email'],
    rows: rows.map((r) => ({ quarter: r.quarter, district: r.district, keys: [...r.keys] })).sort((a, b) => (sortId(a) < sortId(b) ? -1 : 1)),
  };
}

/** A fake keyed hash: the same input always gives the same 43-character base64url text. */
export function hmac(text: string): string {
  return crypto.createHmac('sha256', 'area-test-linkage-key').update(text).digest('base64url');
}
