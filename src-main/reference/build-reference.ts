/**
 * Builds the shipped postcode and deprivation reference, resources/reference/needmap-reference.sqlite,
 * from the raw files in ../shared/data (which users' clones do not have). Run it when those files
 * change (`npm run reference:build`); its output is committed. It runs the same streaming importer
 * users run from Settings, so the shipped data and an update are checked and merged alike:
 *
 *   1. the ONS 2011 → 2021 LSOA lookup with 2022 local authorities, and mid-2020 population per LSOA;
 *   2. the Indices of Deprivation 2019 and 2025;
 *   3. every postcode in England and Wales, derived (NSPL May 2025 centroids placed in LSOAs);
 *   4. the official NSPL November 2021 per-area files and Lewisham's lookup, which take precedence
 *      over the derived rows postcode by postcode and keep their termination dates.
 *
 *   npx tsx src-main/reference/build-reference.ts [--shared DIR] [--out FILE]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ReferenceImport, emptyReferenceContent, saveReferenceFile } from '../db/geo/reference-import.ts';
import { NATIONAL_SOURCES, OGL, OGL_NAME } from '../db/geo/reference-sources.ts';
import { ReferenceData } from '../db/geo/reference.ts';

const { values } = parseArgs({
  options: { shared: { type: 'string' }, out: { type: 'string' } },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = path.join(values.shared ?? path.resolve(root, '..', 'shared'), 'data');
const nationalDir = path.join(dataDir, 'national');
const out = values.out ?? path.join(root, 'resources', 'reference', 'needmap-reference.sqlite');
if (!fs.existsSync(nationalDir)) {
  console.error(`No national reference data at ${nationalDir}; pass --shared DIR (the folder holding data/).`);
  process.exit(1);
}

const started = performance.now();
const lap = (() => {
  let last = started;
  const laps: Record<string, number> = {};
  return Object.assign(
    (name: string) => {
      const now = performance.now();
      laps[name] = Math.round(now - last);
      last = now;
    },
    { laps },
  );
})();
const run = new ReferenceImport(emptyReferenceContent(), (p) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${path.basename(p.file)}: ${p.rowsRead} rows`.padEnd(70));
});

/** Finds columns by header name, so a reordered file still reads; refuses a file that lacks one. */
function columns<K extends string>(header: string[], names: Record<K, string>, file: string): Record<K, number> {
  const found = {} as Record<K, number>;
  for (const [key, name] of Object.entries(names) as [K, string][]) {
    const at = header.findIndex((h) => h.trim().toLowerCase() === name);
    if (at < 0) throw new Error(`${file} has no ${name} column (its columns: ${header.join(', ')}).`);
    found[key] = at;
  }
  return found;
}

const lsoaCode = /^[EW]01\d{6}$/;
const authorityCode = /^[EW]0[6-9]\d{6}$/;

// 1. The LSOA lookup and population.
const lookupFile = path.join(nationalDir, 'lsoa11-lsoa21-ltla22.csv.gz');
let lookupRows = 0;
await run.readLocalCsv(lookupFile, (header) => {
  const c = columns(
    header,
    {
      lsoa11: 'lsoa11_code',
      lsoa11Name: 'lsoa11_name',
      lsoa21: 'lsoa21_code',
      lsoa21Name: 'lsoa21_name',
      authority: 'ltla22_code',
      authorityName: 'ltla22_name',
    },
    lookupFile,
  );
  return (r) => {
    const row = Object.fromEntries(Object.entries(c).map(([k, at]) => [k, (r[at as number] ?? '').trim()])) as Record<keyof typeof c, string>;
    if (!lsoaCode.test(row.lsoa11) || !lsoaCode.test(row.lsoa21)) return `LSOA codes "${row.lsoa11}", "${row.lsoa21}" are not English or Welsh LSOAs`;
    if (!authorityCode.test(row.authority) || !row.authorityName) return `local authority "${row.authority}" is not an English or Welsh district`;
    run.addLsoaLink(row);
    lookupRows++;
    return null;
  };
});
run.addSource({ ...NATIONAL_SOURCES.lsoaLookup, files: path.basename(lookupFile), rows: lookupRows });

const populationFile = path.join(nationalDir, 'population-mid2020-lsoa11.csv.gz');
let populationRows = 0;
await run.readLocalCsv(populationFile, (header) => {
  const c = columns(header, { lsoa: 'lsoa11_code', total: 'total_population' }, populationFile);
  return (r) => {
    const lsoa = (r[c.lsoa] ?? '').trim();
    const total = Number((r[c.total] ?? '').trim());
    if (!lsoaCode.test(lsoa)) return `"${lsoa}" is not an English or Welsh LSOA`;
    if (!Number.isInteger(total) || total < 0 || total > 100_000) return `population "${r[c.total]}" is not a number of people`;
    run.addPopulation(lsoa, total);
    populationRows++;
    return null;
  };
});
run.addSource({ ...NATIONAL_SOURCES.population, files: path.basename(populationFile), rows: populationRows });
lap('lookup and population');

// 2. The Indices of Deprivation.
await run.addFile(path.join(dataDir, 'iod2019_lsoa11.csv'));
await run.addFile(path.join(dataDir, 'iod2025_lsoa21.csv'));
lap('indices');

// 3. Every postcode in England and Wales, derived (the importer recognises the file by its *_method columns).
const derivedFile = path.join(nationalDir, 'postcode-lsoa-ew-derived-may2025.csv.gz');
const beforeDerived = run.summary.rowsRead - run.summary.rowsRefused;
await run.addFile(derivedFile);
run.addSource({
  ...NATIONAL_SOURCES.derivedPostcodes,
  files: path.basename(derivedFile),
  rows: run.summary.rowsRead - run.summary.rowsRefused - beforeDerived,
});
lap('derived postcodes');

// 4. Official rows: NSPL November 2021 per area, then Lewisham's lookup (not in ONS's layout: just postcode, lsoa_code).
const nsplDir = path.join(dataDir, 'nspl-nov2021');
for (const name of fs
  .readdirSync(nsplDir)
  .filter((f) => f.endsWith('.csv'))
  .sort()) {
  await run.addFile(path.join(nsplDir, name));
}
const lewisham = path.join(dataDir, 'lewisham_postcode_lsoa11.csv');
const beforeLewisham = run.summary.rowsRead - run.summary.rowsRefused;
await run.addCsv(path.basename(lewisham), fs.createReadStream(lewisham), fs.statSync(lewisham).size, path.basename(lewisham), true, {
  kind: 'postcodes',
  columns: { postcode: 0, lsoa11: 1, lsoa21: null, doterm: null, ctry: null },
  source: 'official',
});
run.addSource({
  id: 'postcodes:lewisham',
  title: 'London Borough of Lewisham postcode to LSOA (2011) lookup',
  publisher: 'London Borough of Lewisham (open data)',
  released: 'not dated (copy from lb-lewisham/open-data-lewisham)',
  licence: OGL_NAME,
  attribution: `Postcode lookup: London Borough of Lewisham open data.\n${OGL}`,
  files: path.basename(lewisham),
  rows: run.summary.rowsRead - run.summary.rowsRefused - beforeLewisham,
});
lap('official postcodes');
if (process.stderr.isTTY) process.stderr.write('\n');

const content = run.finish({
  built_by: 'src-main/reference/build-reference.ts',
  built_from:
    '../shared/data: national/postcode-lsoa-ew-derived-may2025.csv.gz, national/lsoa11-lsoa21-ltla22.csv.gz, national/population-mid2020-lsoa11.csv.gz, ' +
    'iod2019_lsoa11.csv, iod2025_lsoa21.csv, nspl-nov2021/NSPL_NOV_2021_UK_*.csv (18 areas), lewisham_postcode_lsoa11.csv',
});
lap('merge and population');
saveReferenceFile(out, content);
lap('write');
const seconds = (performance.now() - started) / 1000;

const loadStart = performance.now();
const status = ReferenceData.load(out).status();
const loadMs = performance.now() - loadStart;
const s = run.summary;
console.log(
  JSON.stringify(
    {
      out: path.relative(root, out),
      bytes: fs.statSync(out).size,
      seconds: Math.round(seconds * 10) / 10,
      stepsMs: lap.laps,
      loadMs: Math.round(loadMs),
      rowsRead: s.rowsRead,
      rowsRefused: s.rowsRefused,
      refusedByReason: s.refusedByReason,
      postcodesWhereOfficialRowsReplacedDerived: run.officialOverDerived,
      postcodes: status.postcodes,
      officialPostcodes: status.officialPostcodes,
      derivedPostcodes: status.derivedPostcodes,
      livePostcodes: status.livePostcodes,
      terminatedPostcodes: status.terminatedPostcodes,
      englishLivePostcodes: status.englishPostcodes,
      welshLivePostcodes: status.welshPostcodes,
      localAuthorities: status.localAuthorities,
      residentsInSectors: Object.values(content.population?.sectors ?? {}).reduce((n, s) => n + Object.values(s).reduce((a, b) => a + b, 0), 0),
      residentsUnplaced: content.population?.unplaced ?? null,
      sectorsWithResidents: Object.keys(content.population?.sectors ?? {}).length,
      lsoas: status.lsoas,
      sources: status.sources.map((x) => `${x.id}: ${x.rows} rows`),
    },
    null,
    2,
  ),
);
