/**
 * Builds the shipped postcode and deprivation reference, resources/reference/needmap-reference.sqlite,
 * from the raw files in ../shared/data (which users' clones do not have). It runs the same
 * streaming importer users run from Settings, so the shipped data and an update are checked alike.
 *
 *   npx tsx src-main/reference/build-reference.ts [--shared DIR] [--out FILE]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OGL, OGL_NAME, ReferenceImport, emptyReferenceContent, saveReferenceFile } from '../db/reference-import.ts';
import { ReferenceData } from '../db/reference.ts';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({
  options: { shared: { type: 'string' }, out: { type: 'string' } },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = path.join(values.shared ?? path.resolve(root, '..', 'shared'), 'data');
const out = values.out ?? path.join(root, 'resources', 'reference', 'needmap-reference.sqlite');
if (!fs.existsSync(dataDir)) {
  console.error(`No reference data at ${dataDir}; pass --shared DIR (the folder holding data/).`);
  process.exit(1);
}

const started = Date.now();
const run = new ReferenceImport(emptyReferenceContent(), (p) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${path.basename(p.file)}: ${p.rowsRead} rows`.padEnd(70));
});

await run.addFile(path.join(dataDir, 'iod2019_lsoa11.csv'));
await run.addFile(path.join(dataDir, 'iod2025_lsoa21.csv'));

const nsplDir = path.join(dataDir, 'nspl-nov2021');
for (const name of fs
  .readdirSync(nsplDir)
  .filter((f) => f.endsWith('.csv'))
  .sort()) {
  await run.addFile(path.join(nsplDir, name));
}

// The Lewisham lookup is not in ONS's layout (just postcode, lsoa_code), so its columns are given.
const lewisham = path.join(dataDir, 'lewisham_postcode_lsoa11.csv');
const before = run.summary.postcodesAdded + run.summary.postcodesUpdated;
await run.addCsv(path.basename(lewisham), fs.createReadStream(lewisham), fs.statSync(lewisham).size, path.basename(lewisham), true, {
  kind: 'postcodes',
  columns: { postcode: 0, lsoa11: 1, lsoa21: null, doterm: null, ctry: null },
});
run.addSource({
  id: 'postcodes:lewisham',
  title: 'London Borough of Lewisham postcode to LSOA (2011) lookup',
  publisher: 'London Borough of Lewisham (open data)',
  released: 'not dated (copy from lb-lewisham/open-data-lewisham)',
  licence: OGL_NAME,
  attribution: `Postcode lookup: London Borough of Lewisham open data.\n${OGL}`,
  files: path.basename(lewisham),
  rows: run.summary.postcodesAdded + run.summary.postcodesUpdated - before,
});
if (process.stderr.isTTY) process.stderr.write('\n');

const content = run.finish({
  built_by: 'src-main/reference/build-reference.ts',
  built_from: '../shared/data: iod2019_lsoa11.csv, iod2025_lsoa21.csv, nspl-nov2021/NSPL_NOV_2021_UK_*.csv (18 areas), lewisham_postcode_lsoa11.csv',
});
saveReferenceFile(out, content);

const loadStart = performance.now();
const status = ReferenceData.load(out).status();
const loadMs = performance.now() - loadStart;
const s = run.summary;
console.log(
  JSON.stringify(
    {
      out: path.relative(root, out),
      bytes: fs.statSync(out).size,
      seconds: (Date.now() - started) / 1000,
      loadMs: Math.round(loadMs),
      rowsRead: s.rowsRead,
      rowsRefused: s.rowsRefused,
      refusedByReason: s.refusedByReason,
      postcodes: status.postcodes,
      livePostcodes: status.livePostcodes,
      terminatedPostcodes: status.terminatedPostcodes,
      englishLivePostcodes: status.englishPostcodes,
      lsoas: status.lsoas,
      sources: status.sources.map((x) => `${x.id}: ${x.rows} rows`),
    },
    null,
    2,
  ),
);
