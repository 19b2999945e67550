/**
 * Run by bundle-checks.bench.ts in a fresh process, so its peak memory is this one task's:
 * `refuse FILE AREA_DB` imports FILE (signed by an untrusted key) into a new area database;
 * `verify FILE` reads and fully verifies it. Prints one line of JSON: milliseconds and peak RSS.
 */
import fs from 'node:fs';
import { loadTaxonomy } from '../src-main/app-context.ts';
import { verifyBundle } from '../src-main/core/bundle/verify.ts';
import { importBundleFiles, taxonomiesOf } from '../src-main/db/area/import.ts';
import { openAreaDatabase } from '../src-main/db/area/open.ts';
import { defaultAppPaths } from '../src-main/paths.ts';

const [mode, file, areaFile] = process.argv.slice(2) as [string, string, string | undefined];
const paths = defaultAppPaths();
let outcome: string;
let ms: number;
if (mode === 'refuse') {
  const area = openAreaDatabase(areaFile!, { migrationsDir: paths.migrationsDir });
  const options = { taxonomies: taxonomiesOf(loadTaxonomy(paths)) };
  const baseline = process.resourceUsage().maxRSS;
  const t = process.hrtime.bigint();
  const [result] = await importBundleFiles(area, [file], options);
  ms = Number(process.hrtime.bigint() - t) / 1e6;
  outcome = result!.outcome === 'refused' ? result!.reason : 'accepted';
  area.close();
  console.log(JSON.stringify({ ms, outcome, peakMiB: process.resourceUsage().maxRSS / 1024, beforeMiB: baseline / 1024 }));
} else {
  const baseline = process.resourceUsage().maxRSS;
  const t = process.hrtime.bigint();
  const result = await verifyBundle(fs.readFileSync(file));
  ms = Number(process.hrtime.bigint() - t) / 1e6;
  outcome = result.ok ? 'valid' : result.reason;
  console.log(JSON.stringify({ ms, outcome, peakMiB: process.resourceUsage().maxRSS / 1024, beforeMiB: baseline / 1024 }));
}
