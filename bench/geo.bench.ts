/**
 * Geography: postcode lookup throughput (target ≥ 1M lookups/s warm), reference load time
 * (target < 300 ms) and the size the data adds to the app (target well under 60 MB, aim ≤ 30 MB),
 * each against baselines measured in the same run: a plain JS Map of the same postcodes, a bare
 * read of the same file's bytes, the raw source files it was built from (where ../shared is
 * present) — and the obvious alternative, a plain SQLite table of the same postcodes (one row
 * each, LSOA codes as text, primary key on the postcode), for size, start-up and lookups.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { shippedReferenceFile } from '../src-main/app-context.ts';
import { NO_LSOA, postcodeFromKey } from '../src-main/core/postcode-index.ts';
import { ReferenceData } from '../src-main/db/geo/reference.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { timeMedian } from './demo-db.ts';
import type { BenchContext } from './run.ts';

function dirSize(dir: string): number {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .reduce((n, e) => n + (e.isDirectory() ? dirSize(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);
}

/** The same postcodes as a plain SQLite table, built once per reference file (kept in bench/out). */
function plainTable(outDir: string, reference: ReferenceData): string {
  const file = path.join(outDir, `reference-plain-${fs.statSync(reference.file).mtimeMs}.sqlite`);
  if (fs.existsSync(file)) return file;
  for (const old of fs.readdirSync(outDir).filter((f) => f.startsWith('reference-plain-'))) fs.rmSync(path.join(outDir, old));
  const db = new Database(`${file}.tmp`);
  db.pragma('journal_mode = OFF');
  db.exec('CREATE TABLE postcode (pcd TEXT PRIMARY KEY, lsoa11 TEXT, lsoa21 TEXT, flags INTEGER NOT NULL, terminated INTEGER NOT NULL) WITHOUT ROWID');
  const insert = db.prepare('INSERT INTO postcode VALUES (?, ?, ?, ?, ?)');
  const { index, lsoaCodes } = reference.packed;
  const code = (id: number) => (id === NO_LSOA ? null : lsoaCodes[id]!);
  db.transaction(() => {
    for (let i = 0; i < index.size; i++) {
      insert.run(postcodeFromKey(index.keys[i]!), code(index.lsoa11[i]!), code(index.lsoa21[i]!), index.flags[i]!, index.terminatedMonth[i]!);
    }
  })();
  db.exec('VACUUM');
  db.close();
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

export async function run(bench: BenchContext): Promise<void> {
  const file = shippedReferenceFile(defaultAppPaths());
  // Loading first, on a small heap, as the app does at start-up (millions of query strings would slow its allocations).
  const readMs = timeMedian(() => fs.readFileSync(file));
  const loadCpu = process.cpuUsage();
  const loadMs = timeMedian(() => ReferenceData.load(file));
  const loadCpuMs = process.cpuUsage(loadCpu).user / 1000 / 8; // timeMedian runs it 8 times
  const reference = ReferenceData.load(file);
  const { index } = reference.packed;
  const arrays = [index.keys, index.lsoa11, index.lsoa21, index.flags, index.terminatedMonth, reference.packed.lsoaPopulation, reference.packed.lsoaAuthority];
  const memoryMb = arrays.reduce((n, a) => n + a.byteLength, 0) / 1e6;

  // The queries: every postcode in the data, typed as a caseworker would (some lower case,
  // some without the space), plus 10% that are not in the data, in a shuffled (fixed) order so
  // they hit the index as scattered clients do, not in its own order.
  const order = Array.from({ length: index.size }, (_, i) => i);
  let seed = 12345;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const queries: string[] = [];
  const normalised: string[] = [];
  for (const i of order) {
    const pc = postcodeFromKey(index.keys[i]!);
    queries.push(i % 3 === 0 ? pc.toLowerCase() : i % 3 === 1 ? pc.replace(' ', '') : pc);
    normalised.push(pc);
    if (i % 10 === 0) {
      queries.push(pc.slice(0, -2) + 'ZZ');
      normalised.push(pc.slice(0, -2) + 'ZZ');
    }
  }
  // Baseline: a Map from the normalised postcode to its position (a lookup that skips normalising and finding the row).
  const baselineMap = new Map<string, number>();
  for (let i = 0; i < index.size; i++) baselineMap.set(postcodeFromKey(index.keys[i]!), i);

  let sink = 0;
  const rounds = 3;
  const lookupCpu = process.cpuUsage();
  const lookupMs = timeMedian(() => {
    for (let r = 0; r < rounds; r++) for (const q of queries) if (reference.lookup(q).imdDecile !== null) sink++;
  }, 3);
  const lookupCpuMs = process.cpuUsage(lookupCpu).user / 1000 / 4;
  const mapMs = timeMedian(() => {
    for (let r = 0; r < rounds; r++) for (const q of normalised) if (baselineMap.get(q) !== undefined) sink++;
  }, 3);
  const lookupsPerSecond = (rounds * queries.length) / (lookupMs / 1000);
  const mapPerSecond = (rounds * queries.length) / (mapMs / 1000);

  // The plain SQLite table: ready to answer as soon as it is open, but every lookup is a query.
  const plain = plainTable(bench.outDir, reference);
  const plainOpenMs = timeMedian(() => {
    const db = new Database(plain, { readonly: true });
    db.prepare('SELECT lsoa11, lsoa21, flags, terminated FROM postcode WHERE pcd = ?').get('M14 4PX');
    db.close();
  });
  const plainDb = new Database(plain, { readonly: true });
  const plainGet = plainDb.prepare('SELECT lsoa11, lsoa21, flags, terminated FROM postcode WHERE pcd = ?');
  const sample = normalised.filter((_, i) => i % 10 === 0); // ~270k, a tenth, to keep the run short
  const plainMs = timeMedian(() => {
    for (const q of sample) if (plainGet.get(q) !== undefined) sink++;
  }, 3);
  const plainPerSecond = sample.length / (plainMs / 1000);
  plainDb.close();

  const bytes = fs.statSync(file).size;
  const plainBytes = fs.statSync(plain).size;
  const resources = path.dirname(file);
  const shippedBytes = dirSize(resources);
  const sharedData = path.resolve(defaultAppPaths().resourcesDir, '..', '..', 'shared', 'data');
  const sourceBytes = fs.existsSync(sharedData) ? dirSize(sharedData) : null;

  const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { maximumFractionDigits: digits });
  const tick = (ok: boolean) => (ok ? '✓' : '✗');
  console.log(`${fmt(index.size)} postcodes, ${fmt(queries.length)} queries × ${rounds} rounds (10% not in the data; mixed case and spacing)\n`);
  console.log('| measure | NeedMap | baseline | ratio | target |');
  console.log('|---|---|---|---|---|');
  console.log(
    `| lookups/s warm (ReferenceData.lookup vs Map.get of normalised keys) | ${fmt(lookupsPerSecond)} | ${fmt(mapPerSecond)} | ${(lookupsPerSecond / mapPerSecond).toFixed(2)}× | ≥ 1,000,000 ${tick(lookupsPerSecond >= 1e6)} |`,
  );
  console.log(
    `| lookups/s warm (ReferenceData.lookup vs a plain SQLite table, prepared SELECT by postcode) | ${fmt(lookupsPerSecond)} | ${fmt(plainPerSecond)} | ${(lookupsPerSecond / plainPerSecond).toFixed(1)}× | – |`,
  );
  console.log(
    `| lookups/s by CPU time (mean over the runs: the steadier figure on a shared machine) | ${fmt((rounds * queries.length) / (lookupCpuMs / 1000))} | – | – | ≥ 1,000,000 ${tick((rounds * queries.length) / (lookupCpuMs / 1000) >= 1e6)} |`,
  );
  console.log(
    `| resource load, ms (ReferenceData.load vs fs.readFileSync) | ${fmt(loadMs, 1)} | ${fmt(readMs, 2)} | ${(loadMs / readMs).toFixed(1)}× | < 300 ${tick(loadMs < 300)} |`,
  );
  console.log(`| resource load, CPU ms (mean) | ${fmt(loadCpuMs, 1)} | – | – | < 300 ${tick(loadCpuMs < 300)} |`);
  console.log(
    `| start-up, ms (ReferenceData.load vs opening the plain SQLite table and one query) | ${fmt(loadMs, 1)} | ${fmt(plainOpenMs, 2)} | ${(loadMs / plainOpenMs).toFixed(1)}× | < 300 |`,
  );
  console.log(
    `| size on disk, bytes (packed reference vs the plain SQLite table of the same postcodes) | ${fmt(bytes)} | ${fmt(plainBytes)} | ${((100 * bytes) / plainBytes).toFixed(1)}% | ≤ 30 MB ${tick(bytes <= 30e6)} |`,
  );
  console.log(
    `| size on disk, bytes (packed reference vs the raw source files) | ${fmt(bytes)} | ${sourceBytes === null ? 'n/a (no ../shared)' : fmt(sourceBytes)} | ${sourceBytes === null ? '–' : `${((100 * bytes) / sourceBytes).toFixed(1)}%`} | – |`,
  );
  console.log(`| memory held once loaded, MB (the index's typed arrays) | ${fmt(memoryMb, 1)} | – | – | – |`);
  console.log(
    `\nShipped reference data in all (resources/reference/): ${fmt(shippedBytes)} bytes (target well under 60 MB, aim ≤ 30 MB ${tick(shippedBytes <= 30e6)}).`,
  );
  if (sink < 0) console.log(sink);
}
