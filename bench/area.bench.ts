/**
 * Area picture: import + verify + combine 200 bundles, target < 1 s beyond reading the files;
 * then the area dashboard's queries on that database, target < 150 ms for all of them together.
 * Two bundle sizes: a small organisation's quarter (300 clients, 3 months) and a larger one's
 * year (1,000 clients, 12 months). BENCH_AREA_PROFILES=small or =large runs one.
 * Baselines measured in the same run: verifying the same bundles alone (the bundle code's
 * in-memory verifier), and a bare COUNT(*) over the combined cube.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoPostcodes, loadNeighbourhoods, loadTaxonomy } from '../src-main/app-context.ts';
import { DISCLOSURE_POLICIES } from '../src-main/core/bundle/disclosure.ts';
import { packBundle, fingerprintOf } from '../src-main/core/bundle/package.ts';
import { buildPayload } from '../src-main/core/bundle/payload.ts';
import { monthFromIndex, monthIndex, quarterOf } from '../src-main/core/bundle/period.ts';
import { verifyBundle } from '../src-main/core/bundle/verify.ts';
import { generateDemoClients, lastWholeMonth } from '../src-main/core/demo.ts';
import { geographyFor } from '../src-main/core/geography.ts';
import { refreshDistinctPeople } from '../src-main/db/area/distinct-summary.ts';
import { importBundleBatch, importBundleBytes, taxonomiesOf } from '../src-main/db/area/import.ts';
import { defaultPoolSize } from '../src-main/db/area/verify-pool.ts';
import { openAreaDatabase } from '../src-main/db/area/open.ts';
import {
  coverageBySector,
  distinctPeopleAcrossOrganisations,
  issueTrend,
  needByDecile,
  needBySectorMonth,
  topIssuesPerSector,
} from '../src-main/db/area/queries.ts';
import { recentChanges } from '../src-main/db/area/change-scan.ts';
import { addEvent, compareAroundEvent } from '../src-main/db/area/events.ts';
import { needAgainstNationalAssumptions } from '../src-main/db/area/national.ts';
import { sectorProfiles } from '../src-main/db/area/sector-profile.ts';
import { addService, compareService } from '../src-main/db/area/services.ts';
import { needByFramework } from '../src-main/core/framework-need.ts';
import { presentationsByIssue } from '../src-main/db/area/queries.ts';
import { loadOutcomes } from '../src-main/framework-outcomes.ts';
import { ReferenceData } from '../src-main/db/geo/reference.ts';
import { trustKey } from '../src-main/db/area/trust.ts';
import { writeDemoClients } from '../src-main/db/demo.ts';
import { readExportRows, taxonomyCodes } from '../src-main/db/bundle/export.ts';
import { openCaseDatabase } from '../src-main/db/open.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import crypto from 'node:crypto';
import { timeMedian } from './demo-db.ts';
import type { BenchContext } from './run.ts';

const BUNDLES = Number(process.env.BENCH_AREA_BUNDLES ?? 200);
const PROFILES = [
  { name: 'small', clients: 300, months: 3 },
  { name: 'large', clients: 1000, months: 12 },
].filter((p) => !process.env.BENCH_AREA_PROFILES || process.env.BENCH_AREA_PROFILES.split(',').includes(p.name));
/** Distinct demo databases; bundles cycle through them (each signed by its own organisation's key). */
const SOURCES = 8;

export async function run(bench: BenchContext): Promise<void> {
  for (const profile of PROFILES) {
    console.log(`\n### ${profile.name}: ${profile.clients} clients × ${profile.months} months per bundle\n`);
    await runProfile(bench, profile.clients, profile.months);
  }
}

async function runProfile(bench: BenchContext, CLIENTS_PER_ORG: number, MONTHS: number): Promise<void> {
  const paths = defaultAppPaths();
  const taxonomy = loadTaxonomy(paths);
  const neighbourhoods = loadNeighbourhoods(paths);
  const dir = path.join(bench.outDir, 'area');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // Whole quarters (3 or 12 months ending with the last quarter that is over), as organisations export them.
  const last = monthIndex(lastWholeMonth());
  const to = monthFromIndex(last - ((last + 1) % 3));
  const from = monthFromIndex(monthIndex(to) - (MONTHS - 1));

  const sources = [];
  for (let s = 0; s < SOURCES; s++) {
    const caseDb = openCaseDatabase(path.join(dir, `source-${s}.db`), { migrationsDir: paths.migrationsDir });
    writeDemoClients(
      caseDb,
      generateDemoClients({
        seed: 100 + s,
        clients: CLIENTS_PER_ORG,
        endMonth: to,
        issues: taxonomy.issues,
        postcodes: demoPostcodes(paths, neighbourhoods),
        remitCategories: ['money-debt', 'benefits', 'housing'],
      }),
      (postcode) => geographyFor(postcode, neighbourhoods),
    );
    sources.push(readExportRows(caseDb, taxonomy, from, to));
    caseDb.close();
  }

  const area = openAreaDatabase(path.join(dir, 'area.db'), { migrationsDir: paths.migrationsDir });
  const files: string[] = [];
  let cells = 0;
  for (let i = 0; i < BUNDLES; i++) {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    trustKey(area.db, { publicKeyPem, name: `Organisation ${i}` });
    // A quarter of the organisations opt in to match keys: one row per client they saw.
    const rows = sources[i % SOURCES]!;
    const matchKeys =
      i % 4 === 0
        ? {
            notice: 'Pseudonymised personal data.',
            algorithm: 'HMAC-SHA256/HKDF-SHA256' as const,
            linkageKeyId: '0123456789abcdef',
            keyTypes: ['nhs'],
            rows: [...new Map(rows.presentations.map((p) => [`${p.clientId}|${quarterOf(p.month)}`, p])).values()]
              .map((p) => ({
                quarter: quarterOf(p.month),
                district: p.district ?? 'unknown',
                // Clients of the same source database share keys: the same people seen by several organisations.
                keys: [
                  crypto
                    .createHash('sha256')
                    .update(`${i % SOURCES}:${p.clientId}`)
                    .digest('base64url'),
                ],
              }))
              .sort((a, b) => (`${a.quarter} ${a.district} ${a.keys[0]}` < `${b.quarter} ${b.district} ${b.keys[0]}` ? -1 : 1)),
          }
        : undefined;
    const payload = buildPayload({
      organisation: { id: `org-${i}`, name: `Organisation ${i}` },
      fingerprint: fingerprintOf(publicKey),
      taxonomyVersion: taxonomy.version,
      ...taxonomyCodes(taxonomy),
      from,
      to,
      sequence: 1,
      createdAt: new Date(),
      softwareVersion: '0.1.0',
      policy: DISCLOSURE_POLICIES[i % 2 === 0 ? 'cell-key' : 'nhs-england'],
      ...rows,
      ...(matchKeys ? { matchKeys } : {}),
    });
    cells += payload.tables.reduce((n, t) => n + t.cells.length, 0);
    const file = path.join(dir, `org-${i}.needmap-bundle`);
    fs.writeFileSync(file, (await packBundle(payload, { privateKey, publicKeyPem })).file);
    files.push(file);
  }
  const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);

  let t = process.hrtime.bigint();
  const buffers = files.map((f) => fs.readFileSync(f));
  const readMs = Number(process.hrtime.bigint() - t) / 1e6;

  t = process.hrtime.bigint();
  for (const buffer of buffers) {
    const v = await verifyBundle(buffer);
    if (!v.ok) throw new Error(v.message);
  }
  const verifyMs = Number(process.hrtime.bigint() - t) / 1e6;

  // The batch as `needmap area import` runs it: verified in worker threads, each file stored in its own transaction, combined once at the end.
  t = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const results = await importBundleBatch(
    area,
    buffers.map((bytes, i) => ({ name: path.basename(files[i]!), bytes })),
    { taxonomies: taxonomiesOf(taxonomy) },
  );
  const importMs = Number(process.hrtime.bigint() - t) / 1e6;
  const mainCpu = process.cpuUsage(cpuBefore);
  const refused = results.find((r) => r.outcome !== 'accepted');
  if (refused) throw new Error(refused.message);

  // The same bundles one file at a time (verify in this thread, combine in each file's transaction), into a fresh database: what importBundleBytes does.
  const perFile = openAreaDatabase(path.join(dir, 'area-per-file.db'), { migrationsDir: paths.migrationsDir });
  for (const row of area.sqlite.prepare('SELECT name, public_key_pem FROM trusted_keys').all() as { name: string; public_key_pem: string }[]) {
    trustKey(perFile.db, { publicKeyPem: row.public_key_pem, name: row.name });
  }
  t = process.hrtime.bigint();
  for (const [i, buffer] of buffers.entries()) {
    const r = await importBundleBytes(perFile, path.basename(files[i]!), buffer, { taxonomies: taxonomiesOf(taxonomy) });
    if (r.outcome !== 'accepted') throw new Error(r.message);
  }
  refreshDistinctPeople(perFile);
  const perFileMs = Number(process.hrtime.bigint() - t) / 1e6;
  perFile.close();
  const combined = (area.sqlite.prepare('SELECT COUNT(*) AS n FROM combined_cells').get() as { n: number }).n;
  console.log(
    `${BUNDLES} bundles (${CLIENTS_PER_ORG} clients, ${MONTHS} months each; ${cells} cells, ${(bytes / 1024 / 1024).toFixed(1)} MiB; ${combined} combined cells)`,
  );
  console.log(`read files: ${readMs.toFixed(0)} ms (not counted)`);
  console.log(
    `import + verify + combine (batch, ${defaultPoolSize()} verification workers): ${importMs.toFixed(0)} ms (process CPU, every thread, ${((mainCpu.user + mainCpu.system) / 1000).toFixed(0)} ms) — target < 1000 ms; ` +
      `baseline verify alone, in this thread: ${verifyMs.toFixed(0)} ms (×${(importMs / verifyMs).toFixed(2)}); ` +
      `one file at a time (importBundleBytes): ${perFileMs.toFixed(0)} ms (×${(importMs / perFileMs).toFixed(2)}); load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );

  const baselineMs = timeMedian(() => area.sqlite.prepare('SELECT COUNT(*) FROM combined_cells').get());
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
  let total = 0;
  for (const [name, fn] of queries) {
    const ms = timeMedian(fn, 5);
    total += ms;
    console.log(`  ${name}: ${ms.toFixed(1)} ms (×${(ms / baselineMs).toFixed(0)} of COUNT(*) ${baselineMs.toFixed(2)} ms)`);
  }
  console.log(`dashboard queries together: ${total.toFixed(0)} ms — target < 150 ms`);

  // The analysis views (one call each when a view opens), against the same baseline.
  const busiest = needBySectorMonth(area)
    .filter((r) => r.sector !== 'unknown')
    .reduce((m, r) => m.set(r.sector, (m.get(r.sector) ?? 0) + r.presentations), new Map<string, number>());
  const sector = [...busiest].sort((a, b) => b[1] - a[1])[0]![0];
  const middle = monthFromIndex(monthIndex(from) + Math.floor(MONTHS / 2));
  const event = addEvent(area, { date: `${middle}-15`, title: 'Bench event', sectors: [sector] });
  const service = addService(area, {
    name: 'Bench service',
    openedOn: `${middle}-15`,
    sectors: [sector],
    issues: taxonomy.issues.slice(0, 3).map((i) => i.code),
  });
  const deprivation = neighbourhoods instanceof ReferenceData ? (sectors: readonly string[]) => sectorProfiles(neighbourhoods, sectors) : () => new Map();
  const imd = (sectors: readonly string[]) => new Map([...deprivation(sectors)].map(([s, p]) => [s, p.imdDecile]));
  // Residents are not in this branch's reference data: a flat 5,000 a sector stands in (the cost does not depend on the figures).
  const population = { year: 'bench', residents: () => 5000 };
  const outcomes = loadOutcomes(paths);
  const views: [string, () => unknown][] = [
    ['event against a year earlier and comparison sectors', () => compareAroundEvent(area, event.id, { months: 3, deprivation: imd })],
    ['new service against comparison sectors', () => compareService(area, service.id, { quarters: 1, deprivation: imd })],
    ['need against national assumptions', () => needAgainstNationalAssumptions(area, population, deprivation)],
    ['need by outcome framework', () => needByFramework(presentationsByIssue(area), taxonomy, outcomes)],
  ];
  for (const [name, fn] of views) {
    const ms = timeMedian(fn, 3);
    console.log(`  ${name}: ${ms.toFixed(1)} ms (×${(ms / baselineMs).toFixed(0)} of COUNT(*) ${baselineMs.toFixed(2)} ms)`);
  }
  area.close();
}
