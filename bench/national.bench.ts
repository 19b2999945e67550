/**
 * National scale, as a scaled sample: about 10,000 voluntary organisations in England sending a
 * bundle every month to one area database. This bench makes BENCH_NATIONAL_ORGS organisations
 * (default 1,000: a tenth) and BENCH_NATIONAL_MONTHS monthly bundles each (default 3), imports
 * each month's bundles as one batch (`importBundleBatch`, as `needmap area import` of a folder
 * does), and measures import throughput, the area database's size and the dashboard's queries;
 * docs/national-scale.md extrapolates to 10,000 × 12 and says when one machine stops being enough.
 *
 * The bundles are realistic in shape rather than made from demo case databases (10,000 of those
 * would take hours): each organisation sits in one real English postcode district (weighted by
 * its number of postcodes) and draws four in five clients from it, the rest from anywhere;
 * clients' sectors, deciles and editions come from the shipped reference data (English postcodes
 * not known to be terminated, with a decile); organisations'
 * sizes are log-normal (median 150 clients a year, a few in the thousands); a client comes about
 * twice a year with one to three issues, drawn from the taxonomy with a skewed (Zipf) frequency.
 * Tables, disclosure control, signing and verification are the real code.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadNeighbourhoods, loadTaxonomy } from '../src-main/app-context.ts';
import { DISCLOSURE_POLICIES } from '../src-main/core/bundle/disclosure.ts';
import { fingerprintOf, packBundle } from '../src-main/core/bundle/package.ts';
import { buildPayload } from '../src-main/core/bundle/payload.ts';
import { monthFromIndex, monthIndex } from '../src-main/core/bundle/period.ts';
import type { OutcomeRow, PresentationRow } from '../src-main/core/bundle/tables.ts';
import { lastWholeMonth, seededRandom } from '../src-main/core/demo.ts';
import { parsePostcode } from '../src-main/core/postcode.ts';
import { postcodeFromKey } from '../src-main/core/postcode-index.ts';
import { importBundleBatch, taxonomiesOf } from '../src-main/db/area/import.ts';
import { openAreaDatabase } from '../src-main/db/area/open.ts';
import { recentChanges } from '../src-main/db/area/change-scan.ts';
import {
  coverageBySector,
  distinctPeopleAcrossOrganisations,
  issueTrend,
  needByDecile,
  needBySectorMonth,
  topIssuesPerSector,
} from '../src-main/db/area/queries.ts';
import { trustKey } from '../src-main/db/area/trust.ts';
import { ReferenceData } from '../src-main/db/geo/reference.ts';
import { taxonomyCodes } from '../src-main/db/bundle/export.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { timeMedian } from './demo-db.ts';
import type { BenchContext } from './run.ts';

const ORGS = Number(process.env.BENCH_NATIONAL_ORGS ?? 1000);
const MONTHS = Number(process.env.BENCH_NATIONAL_MONTHS ?? 3);

interface Place {
  sector: string;
  district: string;
  decile: number;
  edition: string;
}

interface Org {
  id: string;
  key: { privateKey: crypto.KeyObject; publicKeyPem: string; fingerprint: string };
  clients: { place: Place; recordKey: number }[];
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function fileSize(file: string): number {
  return ['', '-wal'].reduce((n, s) => n + (fs.existsSync(file + s) ? fs.statSync(file + s).size : 0), 0);
}

export async function run(bench: BenchContext): Promise<void> {
  const paths = defaultAppPaths();
  const taxonomy = loadTaxonomy(paths);
  const reference = loadNeighbourhoods(paths);
  if (!(reference instanceof ReferenceData)) throw new Error('The national bench needs the shipped reference data.');
  const random = seededRandom(2026);

  // Every live English postcode's place, grouped by district.
  const byDistrict = new Map<string, Place[]>();
  const keys = reference.packed.index.keys;
  for (const position of reference.englishPostcodePositions()) {
    const postcode = postcodeFromKey(keys[position]!);
    const parsed = parsePostcode(postcode);
    const found = reference.lookup(postcode);
    if (!parsed.ok || found.imdDecile === null || found.imdEdition === null) continue;
    const place = { sector: parsed.sector, district: parsed.district, decile: found.imdDecile, edition: found.imdEdition };
    (byDistrict.get(parsed.district) ?? byDistrict.set(parsed.district, []).get(parsed.district)!).push(place);
  }
  const districts = [...byDistrict.keys()];
  const allPlaces = [...byDistrict.values()].flat();
  const sectorCount = new Set(allPlaces.map((p) => p.sector)).size;
  console.log(
    `reference: ${allPlaces.length} English postcodes with a decile in ${districts.length} districts, ${sectorCount} sectors; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.availableParallelism()} CPUs`,
  );

  // Organisations: a home district weighted by postcodes, a log-normal size (median 150 clients a year).
  const orgs: Org[] = [];
  for (let o = 0; o < ORGS; o++) {
    const home = allPlaces[Math.floor(random() * allPlaces.length)]!.district;
    const local = byDistrict.get(home)!;
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const size = Math.max(20, Math.min(5000, Math.round(150 * Math.exp(0.9 * normal))));
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    orgs.push({
      id: `org-${o}`,
      key: { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: fingerprintOf(publicKey) },
      clients: Array.from({ length: size }, () => ({
        place: random() < 0.8 ? local[Math.floor(random() * local.length)]! : allPlaces[Math.floor(random() * allPlaces.length)]!,
        recordKey: Math.floor(random() * 2 ** 31),
      })),
    });
  }
  const clientsPerYear = orgs.reduce((n, o) => n + o.clients.length, 0);

  // Issues by a Zipf frequency: the k-th commonest is 1/k as frequent as the first.
  const issues = taxonomy.issues;
  const weights = issues.map((_, k) => 1 / (k + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative = weights.map(
    (
      (sum) => (w: number) =>
        (sum += w / total)
    )(0),
  );
  const pickIssue = () =>
    issues[
      Math.min(
        issues.length - 1,
        cumulative.findIndex((c) => c >= random()),
      )
    ]!;

  const last = monthIndex(lastWholeMonth());
  const months = Array.from({ length: MONTHS }, (_, i) => monthFromIndex(last - MONTHS + 1 + i));
  const codes = taxonomyCodes(taxonomy);
  const dir = path.join(bench.outDir, 'national');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const areaFile = path.join(dir, 'area.db');
  const area = openAreaDatabase(areaFile, { migrationsDir: paths.migrationsDir });
  for (const org of orgs) trustKey(area.db, { publicKeyPem: org.key.publicKeyPem, name: org.id, organisationId: org.id });

  console.log(`\n${ORGS} organisations (${clientsPerYear.toLocaleString('en-GB')} clients a year between them), ${MONTHS} monthly bundles each\n`);
  console.log('| month | bundles | cells | file MiB | make ms | import ms | bundles/s | this thread CPU ms | area database | peak RSS |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  let totalImportMs = 0;
  let totalBundles = 0;
  let peakRss = process.memoryUsage().rss;
  for (const month of months) {
    let t = performance.now();
    const files: { name: string; bytes: Buffer }[] = [];
    let cells = 0;
    for (const [o, org] of orgs.entries()) {
      // About twice a year per client: each client comes this month with probability 1/6, with one to three issues.
      const presentations: PresentationRow[] = [];
      const outcomes: OutcomeRow[] = [];
      org.clients.forEach((client, clientId) => {
        if (random() >= 1 / 6) return;
        for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
          const issue = pickIssue();
          presentations.push({
            clientId,
            recordKey: client.recordKey,
            month,
            sector: client.place.sector,
            district: client.place.district,
            imdDecile: client.place.decile,
            imdEdition: client.place.edition,
            issueCode: issue.code,
            category: issue.category,
          });
          if (random() < 0.3)
            outcomes.push({
              clientId,
              recordKey: client.recordKey,
              month,
              category: issue.category,
              outcome: (['improved', 'resolved', 'unresolved'] as const)[Math.floor(random() * 3)]!,
            });
        }
      });
      const payload = buildPayload({
        organisation: { id: org.id, name: `Organisation ${o}` },
        fingerprint: org.key.fingerprint,
        taxonomyVersion: taxonomy.version,
        ...codes,
        from: month,
        to: month,
        sequence: 1,
        createdAt: new Date(),
        softwareVersion: '0.1.0',
        policy: DISCLOSURE_POLICIES[o % 2 === 0 ? 'cell-key' : 'nhs-england'],
        presentations,
        outcomes,
      });
      cells += payload.tables.reduce((n, table) => n + table.cells.length, 0);
      files.push({ name: `${org.id}-${month}.needmap-bundle`, bytes: (await packBundle(payload, org.key)).file });
    }
    const makeMs = performance.now() - t;
    const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    t = performance.now();
    const cpu = process.cpuUsage();
    const results = await importBundleBatch(area, files, { taxonomies: taxonomiesOf(taxonomy) });
    const importMs = performance.now() - t;
    const used = process.cpuUsage(cpu);
    clearInterval(rssTimer);
    const refused = results.find((r) => r.outcome !== 'accepted');
    if (refused) throw new Error(refused.message);
    totalImportMs += importMs;
    totalBundles += files.length;
    area.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    console.log(
      `| ${month} | ${files.length} | ${cells.toLocaleString('en-GB')} | ${(bytes / 1024 / 1024).toFixed(1)} | ${makeMs.toFixed(0)} | ${importMs.toFixed(0)} | ` +
        `${((files.length / importMs) * 1000).toFixed(0)} | ${((used.user + used.system) / 1000).toFixed(0)} | ${mib(fileSize(areaFile))} | ${mib(peakRss)} |`,
    );
  }

  const count = (sql: string) => area.sqlite.prepare(sql).pluck().get() as number;
  const bundleCells = count('SELECT COUNT(*) FROM bundle_cells');
  const combinedCells = count('SELECT COUNT(*) FROM combined_cells');
  const sectorsCovered = count("SELECT COUNT(DISTINCT k1) FROM combined_cells WHERE table_id = 'sector-month-category'");
  const districtsCovered = count("SELECT COUNT(DISTINCT k1) FROM combined_cells WHERE table_id = 'district-month-issue'");
  console.log(
    `\nafter ${totalBundles} bundles: ${bundleCells.toLocaleString('en-GB')} stored cells, ${combinedCells.toLocaleString('en-GB')} combined cells ` +
      `(${sectorsCovered} sectors, ${districtsCovered} districts), database ${mib(fileSize(areaFile))}; import ${((totalBundles / totalImportMs) * 1000).toFixed(0)} bundles/s overall, ` +
      `${(fileSize(areaFile) / totalBundles / 1024).toFixed(1)} KiB and ${(bundleCells / totalBundles).toFixed(0)} stored cells per bundle`,
  );

  const baselineMs = timeMedian(() => area.sqlite.prepare('SELECT COUNT(*) FROM combined_cells').get(), 5);
  const issue = taxonomy.issues[0]!.code;
  const queries: [string, () => unknown][] = [
    ['need by sector × month', () => needBySectorMonth(area)],
    ['top issues per sector', () => topIssuesPerSector(area, 5)],
    ['issue trend', () => issueTrend(area, issue)],
    ['coverage by sector', () => coverageBySector(area)],
    ['need by decile', () => needByDecile(area)],
    ['distinct people (match keys)', () => distinctPeopleAcrossOrganisations(area)],
    ['recent changes scan', () => recentChanges(area)],
  ];
  let dashboard = 0;
  for (const [name, fn] of queries) {
    const ms = timeMedian(fn, 3);
    dashboard += ms;
    console.log(`  ${name}: ${ms.toFixed(1)} ms`);
  }
  console.log(`dashboard queries together: ${dashboard.toFixed(0)} ms — target < 150 ms; baseline COUNT(*) of the combined cube ${baselineMs.toFixed(1)} ms`);
  area.close();
}
