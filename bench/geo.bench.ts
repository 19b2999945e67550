/**
 * Geography: postcode lookup throughput (target ≥ 1M lookups/s warm), reference load time
 * (target < 300 ms) and the size the data adds to the app, each against a baseline measured in
 * the same run: a plain JS Map lookup of the same postcodes, a bare read of the same file's
 * bytes, and the raw source CSVs it was built from (where ../shared is present).
 */
import fs from 'node:fs';
import path from 'node:path';
import { shippedReferenceFile } from '../src-main/app-context.ts';
import { postcodeFromKey } from '../src-main/core/postcode-index.ts';
import { ReferenceData } from '../src-main/db/reference.ts';
import { defaultAppPaths } from '../src-main/paths.ts';
import { timeMedian } from './demo-db.ts';
import type { BenchContext } from './run.ts';

function dirSize(dir: string): number {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .reduce((n, e) => n + (e.isDirectory() ? dirSize(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);
}

export async function run(_bench: BenchContext): Promise<void> {
  const file = shippedReferenceFile(defaultAppPaths());
  const reference = ReferenceData.load(file);
  const { index } = reference.packed;

  // The queries: every postcode in the data, typed as a caseworker would (some lower case,
  // some without the space), plus 10% that are not in the data.
  const queries: string[] = [];
  for (let i = 0; i < index.size; i++) {
    const pc = postcodeFromKey(index.keys[i]!);
    queries.push(i % 3 === 0 ? pc.toLowerCase() : i % 3 === 1 ? pc.replace(' ', '') : pc);
    if (i % 10 === 0) queries.push(pc.slice(0, -2) + 'ZZ');
  }
  // Baseline: a Map from the normalised postcode to its (precomputed) answer.
  const baselineMap = new Map<string, unknown>();
  for (let i = 0; i < index.size; i++) {
    const pc = postcodeFromKey(index.keys[i]!);
    baselineMap.set(pc, reference.lookup(pc));
  }
  const normalised = queries.map((q) => (q.includes(' ') ? q.toUpperCase() : `${q.slice(0, -3)} ${q.slice(-3)}`.toUpperCase()));

  let sink = 0;
  const rounds = 10;
  const lookupMs = timeMedian(() => {
    for (let r = 0; r < rounds; r++) for (const q of queries) if (reference.lookup(q).imdDecile !== null) sink++;
  });
  const mapMs = timeMedian(() => {
    for (let r = 0; r < rounds; r++) for (const q of normalised) if (baselineMap.get(q) !== undefined) sink++;
  });
  const lookupsPerSecond = (rounds * queries.length) / (lookupMs / 1000);
  const mapPerSecond = (rounds * queries.length) / (mapMs / 1000);

  const loadMs = timeMedian(() => ReferenceData.load(file));
  const readMs = timeMedian(() => fs.readFileSync(file));

  const bytes = fs.statSync(file).size;
  const sharedData = path.resolve(defaultAppPaths().resourcesDir, '..', '..', 'shared', 'data');
  const sourceBytes = fs.existsSync(sharedData) ? dirSize(sharedData) : null;

  const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { maximumFractionDigits: digits });
  console.log(`${index.size} postcodes, ${queries.length} queries × ${rounds} rounds (10% not in the data; mixed case and spacing)\n`);
  console.log('| measure | NeedMap | baseline | ratio | target |');
  console.log('|---|---|---|---|---|');
  console.log(
    `| lookups/s warm (ReferenceData.lookup vs Map.get of normalised keys) | ${fmt(lookupsPerSecond)} | ${fmt(mapPerSecond)} | ${(lookupsPerSecond / mapPerSecond).toFixed(2)}× | ≥ 1,000,000 ${lookupsPerSecond >= 1e6 ? '✓' : '✗'} |`,
  );
  console.log(
    `| resource load, ms (ReferenceData.load vs fs.readFileSync) | ${fmt(loadMs, 1)} | ${fmt(readMs, 2)} | ${(loadMs / readMs).toFixed(1)}× | < 300 ${loadMs < 300 ? '✓' : '✗'} |`,
  );
  console.log(
    `| size on disk, bytes (resource vs raw source CSVs) | ${fmt(bytes)} | ${sourceBytes === null ? 'n/a (no ../shared)' : fmt(sourceBytes)} | ${sourceBytes === null ? '–' : `${((100 * bytes) / sourceBytes).toFixed(1)}%`} | a few MB |`,
  );
  if (sink < 0) console.log(sink);
}
