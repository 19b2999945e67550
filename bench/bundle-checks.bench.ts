/**
 * Issue 11: the cost of checking a bundle as strictly as its signature, and of refusing a large
 * bundle from an untrusted key before its payload is read.
 *
 * 1. Verification of typical bundles (format needmap-bundle/2: complete tables, payload checks):
 *    a small organisation's quarter and a larger one's year, made from demo case databases.
 *    Target < 50 ms; baseline a bare crypto.verify of the same bytes, in the same run.
 * 2. A ~32 MB bundle (a year's tables and ~190,000 match-key rows) from an untrusted key, given to
 *    importBundleBytes: it must be refused before bundle.json is inflated or parsed. Baseline: the
 *    same file fully verified (inflate, signature, JSON.parse, schema, payload checks), which is
 *    what reading it first would cost. Peak memory (maxRSS) is reported beside each.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import fs from 'node:fs';
import { demoPostcodes, loadNeighbourhoods, loadTaxonomy } from '../src-main/app-context.ts';
import { DISCLOSURE_POLICIES } from '../src-main/core/bundle/disclosure.ts';
import { fingerprintOf, packBundle } from '../src-main/core/bundle/package.ts';
import { buildPayload } from '../src-main/core/bundle/payload.ts';
import { payloadProblem } from '../src-main/core/bundle/payload-checks.ts';
import { monthFromIndex, monthIndex, quarterOf } from '../src-main/core/bundle/period.ts';
import { BundlePayload, universeSize, type MatchKeySection } from '../src-main/core/bundle/schema.ts';
import { verifyBundle } from '../src-main/core/bundle/verify.ts';
import { generateDemoClients, lastWholeMonth } from '../src-main/core/demo.ts';
import { geographyFor } from '../src-main/core/geography.ts';
import { importBundleBytes, taxonomiesOf } from '../src-main/db/area/import.ts';
import { openAreaDatabase } from '../src-main/db/area/open.ts';
import { writeDemoClients } from '../src-main/db/demo.ts';
import { readExportRows, taxonomyCodes } from '../src-main/db/bundle/export.ts';
import { openCaseDatabase } from '../src-main/db/open.ts';
import { defaultAppPaths, sourceRoot } from '../src-main/paths.ts';
import { timeMedian, timeWallAndCpu } from './demo-db.ts';
import type { BenchContext } from './run.ts';

export async function run(bench: BenchContext): Promise<void> {
  const paths = defaultAppPaths();
  const taxonomy = loadTaxonomy(paths);
  const neighbourhoods = loadNeighbourhoods(paths);
  const dir = path.join(bench.outDir, 'bundle-checks');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const last = monthIndex(lastWholeMonth());
  const to = monthFromIndex(last - ((last + 1) % 3));
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const key = { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };

  const rowsOf = (clients: number, months: number, seed: number) => {
    const caseDb = openCaseDatabase(path.join(dir, `org-${clients}-${months}.db`), { migrationsDir: paths.migrationsDir });
    writeDemoClients(
      caseDb,
      generateDemoClients({
        seed,
        clients,
        endMonth: to,
        issues: taxonomy.issues,
        postcodes: demoPostcodes(paths, neighbourhoods),
        remitCategories: ['money-debt', 'benefits', 'housing'],
      }),
      (postcode) => geographyFor(postcode, neighbourhoods),
    );
    const from = monthFromIndex(monthIndex(to) - (months - 1));
    const rows = readExportRows(caseDb, taxonomy, from, to);
    caseDb.close();
    return { from, rows };
  };
  const payloadOf = (from: string, rows: ReturnType<typeof rowsOf>['rows'], matchKeys?: MatchKeySection) =>
    buildPayload({
      organisation: { id: 'bench-org', name: 'Bench organisation' },
      fingerprint: fingerprintOf(publicKey),
      taxonomyVersion: taxonomy.version,
      ...taxonomyCodes(taxonomy),
      from,
      to,
      sequence: 1,
      createdAt: new Date(),
      softwareVersion: '0.1.0',
      policy: DISCLOSURE_POLICIES['cell-key'],
      ...rows,
      ...(matchKeys ? { matchKeys } : {}),
    });

  console.log('### verification of typical bundles (needmap-bundle/2)\n');
  let yearRows: ReturnType<typeof rowsOf> | null = null;
  for (const [label, clients, months] of [
    ['small organisation, a quarter', 300, 3],
    ['larger organisation, a year', 1000, 12],
  ] as const) {
    const source = rowsOf(clients, months, 7);
    if (months === 12) yearRows = source;
    const payload = payloadOf(source.from, source.rows);
    const packed = await packBundle(payload, key);
    const cells = payload.tables.reduce((n, t) => n + universeSize(t.universe), 0);
    const nonZero = payload.tables.reduce((n, t) => n + t.cells.length, 0);
    const verify = await timeWallAndCpu(async () => {
      const result = await verifyBundle(packed.file);
      if (!result.ok) throw new Error(result.message);
    }, 21);
    const raw = timeMedian(() => crypto.verify(null, packed.payloadBytes, publicKey, packed.signature), 21);
    const parsed = BundlePayload.parse(JSON.parse(packed.payloadBytes.toString('utf8')));
    const checks = timeMedian(() => payloadProblem(parsed), 21);
    console.log(
      `${label} (${clients} clients, ${months} months): ${cells} cells (${nonZero} listed, not 0), bundle.json ${(packed.payloadBytes.length / 1024).toFixed(0)} KiB, ` +
        `file ${(packed.file.length / 1024).toFixed(0)} KiB\n` +
        `  verify: ${verify.wall.toFixed(1)} ms (CPU ${verify.cpu.toFixed(1)} ms) — target < 50 ms; baseline crypto.verify of the same bytes ${raw.toFixed(2)} ms ` +
        `(×${(verify.wall / raw).toFixed(0)}); of which payload checks ${checks.toFixed(2)} ms`,
    );
  }

  console.log('\n### a large bundle from an untrusted key\n');
  const { from, rows } = yearRows!;
  // ~190,000 match-key rows (3 keys each) on top of the year's tables: about 32 MB of bundle.json.
  const quarters = [...new Set(rows.presentations.map((p) => quarterOf(p.month)))].sort();
  const districts = [...new Set(rows.presentations.map((p) => p.district ?? 'unknown'))].sort();
  const mac = (text: string) => crypto.createHash('sha256').update(text).digest('base64url');
  const keyRows = Array.from({ length: 190_000 }, (_, i) => ({
    quarter: quarters[i % quarters.length]!,
    district: districts[i % districts.length]!,
    keys: [mac(`a${i}`), mac(`b${i}`), i % 2 ? mac(`c${i}`) : ''],
  })).sort((a, b) => {
    const ka = `${a.quarter}\u0000${a.district}\u0000${a.keys.join('\u0000')}`;
    const kb = `${b.quarter}\u0000${b.district}\u0000${b.keys.join('\u0000')}`;
    return ka < kb ? -1 : 1;
  });
  const large = await packBundle(
    payloadOf(from, rows, {
      notice: 'Pseudonymised personal data.',
      algorithm: 'HMAC-SHA256/HKDF-SHA256',
      linkageKeyId: '0123456789abcdef',
      keyTypes: ['name-dob', 'surname-soundex-initial-dob', 'nhs-number'],
      rows: keyRows,
    }),
    key,
  );
  const area = openAreaDatabase(path.join(dir, 'area.db'), { migrationsDir: paths.migrationsDir });
  const options = { taxonomies: taxonomiesOf(taxonomy) };
  const refuse = await timeWallAndCpu(async () => {
    const result = await importBundleBytes(area, 'large.needmap-bundle', large.file, options);
    if (result.outcome !== 'refused' || result.reason !== 'untrusted-key') throw new Error(result.message);
  }, 9);
  const parse = await timeWallAndCpu(async () => {
    const result = await verifyBundle(large.file);
    if (!result.ok) throw new Error(result.message);
  }, 3);
  area.close();
  // Peak memory, each in a fresh process (this one has built the file): the refusal as the CLI does it, from the file.
  const file = path.join(dir, 'large.needmap-bundle');
  fs.writeFileSync(file, large.file);
  const child = (...args: string[]) =>
    JSON.parse(
      execFileSync(path.join(sourceRoot(), 'node_modules', '.bin', 'tsx'), [path.join(sourceRoot(), 'bench', 'bundle-checks.child.ts'), ...args], {
        encoding: 'utf8',
      }),
    ) as { ms: number; outcome: string; peakMiB: number; beforeMiB: number };
  const refusedChild = child('refuse', file, path.join(dir, 'area-child.db'));
  const verifiedChild = child('verify', file);
  console.log(
    `bundle.json ${(large.payloadBytes.length / 1024 / 1024).toFixed(1)} MiB (file ${(large.file.length / 1024 / 1024).toFixed(1)} MiB, ${keyRows.length} match-key rows)\n` +
      `  refused as untrusted-key by importBundleBytes: ${refuse.wall.toFixed(1)} ms (CPU ${refuse.cpu.toFixed(1)} ms) — ` +
      `baseline, the same file read and fully verified: ${parse.wall.toFixed(0)} ms (CPU ${parse.cpu.toFixed(0)} ms); refusal ×${(refuse.wall / parse.wall).toFixed(4)}\n` +
      `  fresh process, from the file: refused (${refusedChild.outcome}) in ${refusedChild.ms.toFixed(1)} ms, peak RSS ${refusedChild.peakMiB.toFixed(0)} MiB ` +
      `(${(refusedChild.peakMiB - refusedChild.beforeMiB).toFixed(0)} MiB above the loaded app); ` +
      `fully verified (${verifiedChild.outcome}) in ${verifiedChild.ms.toFixed(0)} ms, peak RSS ${verifiedChild.peakMiB.toFixed(0)} MiB ` +
      `(${(verifiedChild.peakMiB - verifiedChild.beforeMiB).toFixed(0)} MiB above)`,
  );
}
