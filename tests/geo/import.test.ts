/** Updating the reference data from ONS files, through the importer, the geo.* calls and the CLI. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import yazl from 'yazl';
import { describe, expect, it } from 'vitest';
import { createAppContext, shippedReferenceFile } from '../../src-main/app-context.ts';
import { importReferenceFiles } from '../../src-main/db/geo/import.ts';
import { ReferenceData } from '../../src-main/db/geo/reference.ts';
import { dispatch } from '../helpers.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { aClient, callOk, tempDir, loginTestAdmin, NEEDMAP_CLI } from '../helpers.ts';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const nspl2021 = path.join(fixtures, 'NSPL_NOV_2021_UK_TEST.csv');
const nspl2024 = path.join(fixtures, 'NSPL_FEB_2024_UK_TEST.csv');
const wrongFile = path.join(fixtures, 'not-a-postcode-file.csv');
const shipped = shippedReferenceFile(defaultAppPaths());
const cli = NEEDMAP_CLI;
const run = promisify(execFile);

async function needmap(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function zipOf(file: string, entries: Record<string, string | Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, data] of Object.entries(entries)) zip.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name);
    zip.end();
    zip.outputStream.pipe(fs.createWriteStream(file)).on('close', resolve).on('error', reject);
  });
}

describe('importing ONS postcode files', () => {
  it('adds new postcodes, refuses malformed rows with reasons, and swaps the file in only when complete', async () => {
    const ref = path.join(tempDir(), 'reference.sqlite');
    const progress: number[] = [];
    const summary = await importReferenceFiles(ref, [nspl2021], { shippedFile: shipped, onProgress: (p) => progress.push(p.bytesRead) });
    expect(summary).toMatchObject({
      rowsRead: 5,
      postcodesAdded: 2, // WC1A 7ZZ, FK1 7ZZ
      postcodesUpdated: 1, // DT1 1AA
      rowsRefused: 2,
      refusedByReason: { 'has fields where the header has': 1, 'postcode is not valid': 1 },
    });
    expect(summary.refusedExamples).toEqual([
      { file: nspl2021, line: 5, reason: 'has 5 fields where the header has 41' },
      { file: nspl2021, line: 6, reason: 'postcode "NOTAPC" is not valid' },
    ]);
    expect(progress.at(-1)).toBe(fs.statSync(nspl2021).size);
    expect(fs.readdirSync(path.dirname(ref))).toEqual(['reference.sqlite']);

    const after = ReferenceData.load(ref);
    // The NSPL gives only the 2011 LSOA; E01000919 was unchanged in 2021, so the ONS lookup gives the 2021 one (IoD2025 decile 3).
    expect(after.lookup('WC1A 7ZZ')).toMatchObject({
      lsoa: 'E01000919',
      lsoa21: 'E01000919',
      source: 'official',
      imdDecile: 3,
      imdEdition: 'IoD2025',
      reason: null,
    });
    expect(after.lookup('WC1A 7ZZ', 'IoD2019')).toMatchObject({ imdDecile: 4, imdEdition: 'IoD2019' });
    expect(after.lookup('FK1 7ZZ')).toMatchObject({ country: 'Scotland', source: 'official', imdDecile: null });
    expect(after.lookup('SE13 6AA', 'IoD2019')).toMatchObject({ imdDecile: 2 }); // the shipped data is kept
    expect(after.lookup('M14 4PX')).toMatchObject({ source: 'derived', imdDecile: 3 });
    expect(after.status().postcodes).toBe(ReferenceData.load(shipped).status().postcodes + 2);
    expect(after.status().sources.find((s) => s.id === 'postcodes:NSPL_NOV_2021')!.files).toContain('NSPL_NOV_2021_UK_TEST.csv');
  });

  it('keeps both editions usable when a newer directory gives only the 2021 neighbourhood', async () => {
    const ref = path.join(tempDir(), 'reference.sqlite');
    await importReferenceFiles(ref, [nspl2024], { shippedFile: shipped });
    const after = ReferenceData.load(ref);
    // E01000919 in IoD2025: rank 9765, decile 3 (iod2025_lsoa21.csv); the 2011 LSOA comes from the row it replaced.
    expect(after.lookup('WC1A 1AB')).toMatchObject({ lsoa: 'E01000919', imdEdition: 'IoD2025', imdRank: 9765, imdDecile: 3, lsoaName: 'Camden 028D' });
    expect(after.lookup('WC1A 1AB', 'IoD2019')).toMatchObject({ lsoa11: 'E01000919', imdEdition: 'IoD2019', imdRank: 12962, imdDecile: 4 });
  });

  it('reads the per-area CSVs inside an ONS ZIP and skips its documentation tables', async () => {
    const dir = tempDir();
    const zip = path.join(dir, 'NSPL_NOV_2021_UK.zip');
    await zipOf(zip, {
      'Data/multi_csv/NSPL_NOV_2021_UK_TEST.csv': fs.readFileSync(nspl2021),
      'Documents/Country names and codes UK as at 08_12.csv': 'CTRY12CD,CTRY12CDO,CTRY12NM\nE92000001,921,England\n',
      'User Guide/readme.txt': 'not a CSV',
    });
    const ref = path.join(dir, 'reference.sqlite');
    const summary = await importReferenceFiles(ref, [zip], { shippedFile: shipped });
    expect(summary.filesRead).toEqual(['NSPL_NOV_2021_UK.zip: Data/multi_csv/NSPL_NOV_2021_UK_TEST.csv']);
    expect(summary.filesSkipped).toEqual(['NSPL_NOV_2021_UK.zip: Documents/Country names and codes UK as at 08_12.csv']);
    expect(summary.postcodesAdded).toBe(2);
    expect(ReferenceData.load(ref).lookup('WC1A 7ZZ').imdDecile).toBe(3);
  });

  it('refuses the wrong file and leaves the reference data exactly as it was', async () => {
    const ref = path.join(tempDir(), 'reference.sqlite');
    fs.copyFileSync(shipped, ref);
    const before = fs.readFileSync(ref);
    await expect(importReferenceFiles(ref, [nspl2021, wrongFile], { shippedFile: shipped })).rejects.toThrow(
      /not-a-postcode-file.csv is not an ONS postcode directory \(NSPL or ONSPD\) or an English Indices of Deprivation file.*Its columns are: name, address, phone\./,
    );
    expect(fs.readFileSync(ref).equals(before)).toBe(true);
    expect(fs.readdirSync(path.dirname(ref))).toEqual(['reference.sqlite']);
  });
});

describe('geo.* calls', () => {
  it('looks up, imports, reports status and recomputes stored clients', async () => {
    const dir = tempDir();
    const ctx = createAppContext({
      dbFile: path.join(dir, 'case.db'),
      paths: defaultAppPaths(),
      host: 'browser',
      referenceFile: path.join(dir, 'reference.sqlite'),
    });
    loginTestAdmin(ctx); // calls need a logged-in user (issue 7)
    try {
      expect(await callOk(ctx, 'geo.lookup', { postcode: 'se136aa' })).toMatchObject({
        postcode: 'SE13 6AA',
        sector: 'SE13 6',
        district: 'SE13',
        found: true,
        neighbourhood: { lsoa: 'E01033327', name: 'Lewisham 041B' },
        lsoa21: 'E01033327',
        localAuthority: { code: 'E09000023', name: 'Lewisham' },
        source: 'official',
        deprivation: { edition: 'IoD2025', imdDecile: 4, deprived: false, badge: null },
        reason: null,
      });
      // For continuity with past reports an admin can choose IoD2019: lookups follow, and stored clients are recomputed.
      expect(await callOk(ctx, 'geo.settings', {})).toMatchObject({ iodEdition: 'IoD2025', defaultEdition: 'IoD2025' });
      expect(await callOk(ctx, 'settings.iodEdition', { iodEdition: 'IoD2019' })).toEqual({
        iodEdition: 'IoD2019',
        recomputed: { clients: 0, changed: 0, withDecile: 0, unknown: 0 },
      });
      expect(await callOk(ctx, 'geo.lookup', { postcode: 'se136aa' })).toMatchObject({
        neighbourhood: { lsoa: 'E01033327', name: 'Lewisham 012F' },
        deprivation: { edition: 'IoD2019', imdDecile: 2, deprived: true, badge: 'Lives in one of the 20% most deprived neighbourhoods in England' },
      });
      expect(await callOk(ctx, 'geo.lookup', { postcode: 'SE13 6AA', threshold: 1 })).toMatchObject({ deprivation: { deprived: false, badge: null } });
      const refused = await dispatch('settings.iodEdition', { iodEdition: 'IoD2031' }, ctx);
      expect(refused.ok === false && refused.error.fieldErrors.iodEdition).toEqual(['Choose IoD2025 or IoD2019.']);
      const invalid = await dispatch('geo.lookup', { postcode: 'PR1 2A' }, ctx);
      expect(invalid).toEqual({
        ok: false,
        error: { code: 'invalid_input', message: 'PR1 2A is not a complete postcode.', fieldErrors: { postcode: ['PR1 2A is not a complete postcode.'] } },
      });

      const status = await callOk(ctx, 'geo.status', {});
      expect(status).toMatchObject({
        loaded: true,
        updated: false,
        lsoas: { IoD2019: 32844, IoD2025: 33755 },
        localAuthorities: 331,
        populationYear: 'mid-2020',
      });
      expect(status.officialPostcodes + status.derivedPostcodes).toBe(status.postcodes);

      // A client at a postcode not yet in the data: saved, sector derived, reason given.
      const created = await callOk(ctx, 'clients.create', { client: { ...aClient, postcode: 'WC1A 7ZZ' } });
      const id = created.kind === 'created' ? created.id : -1;
      expect((await callOk(ctx, 'clients.get', { id })).client.geography).toMatchObject({
        postcodeSector: 'WC1A 7',
        imdDecile: null,
        geoReason: 'Not in the postcode data: a new or mistyped postcode? If the postcode is right, import the latest ONS postcode directory in Settings.',
      });

      const wrong = await dispatch('geo.import', { files: [wrongFile] }, ctx);
      expect(wrong.ok === false && wrong.error.fieldErrors.files![0]).toMatch(/is not an ONS postcode directory/);
      expect(fs.existsSync(path.join(dir, 'reference.sqlite'))).toBe(true); // created from the shipped copy, unchanged

      // While the import streams, its progress can be polled; afterwards nothing is running.
      const importing = callOk(ctx, 'geo.import', { files: [nspl2021] });
      const during = await callOk(ctx, 'geo.importProgress', {});
      expect(during).toMatchObject({ running: true, file: expect.stringContaining('NSPL_NOV_2021_UK_TEST') });
      expect((await dispatch('geo.import', { files: [nspl2021] }, ctx)).ok).toBe(false); // one at a time
      const summary = await importing;
      expect(summary).toMatchObject({ postcodesAdded: 2, rowsRefused: 2 });
      expect(await callOk(ctx, 'geo.importProgress', {})).toMatchObject({ running: false, rowsRead: 0 });
      expect((await callOk(ctx, 'geo.status', {})).updated).toBe(true);
      expect(await callOk(ctx, 'geo.recomputeClients', {})).toEqual({ clients: 1, changed: 1, withDecile: 1, unknown: 0 });
      expect((await callOk(ctx, 'clients.get', { id })).client.geography).toMatchObject({
        lsoa: 'E01000919',
        imdDecile: 4,
        imdEdition: 'IoD2019',
        geoReason: null,
        lsoa21: 'E01000919',
        localAuthorityCode: 'E09000007',
        localAuthorityName: 'Camden',
        geoSource: 'official',
      });
      expect(await callOk(ctx, 'geo.recomputeClients', {})).toMatchObject({ changed: 0 });
      // Back to IoD2025: the same step recomputes the client's stored decile.
      expect(await callOk(ctx, 'settings.iodEdition', { iodEdition: 'IoD2025' })).toEqual({
        iodEdition: 'IoD2025',
        recomputed: { clients: 1, changed: 1, withDecile: 1, unknown: 0 },
      });
      expect((await callOk(ctx, 'clients.get', { id })).client.geography).toMatchObject({ imdDecile: 3, imdEdition: 'IoD2025' });
    } finally {
      ctx.caseDb.close();
    }
  });
});

describe('needmap lookup and geo import', () => {
  it('prints one JSON line per postcode in order, and exits 0 only if all were found', async () => {
    const ok = await needmap(['lookup', '--ref', shipped, 'wc1a1ab', 'M40 7AA']);
    expect(ok.code).toBe(0);
    const lines = ok.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        postcode: 'WC1A 1AB',
        sector: 'WC1A 1',
        district: 'WC1A',
        lsoa: 'E01000919',
        imdDecile: 3,
        imdRank: 9765,
        edition: 'IoD2025',
        deprived: false,
        domains: { income: 4, employment: 5, education: 6, health: 3, crime: 3, housing: 4, livingEnvironment: 1 },
        lsoa21: 'E01000919',
        localAuthority: { code: 'E09000007', name: 'Camden' },
        source: 'official',
      },
      // M40 7AA: derived, E01005132 "Manchester 061B", IoD2025 decile 1.
      expect.objectContaining({
        postcode: 'M40 7AA',
        lsoa: 'E01005132',
        imdDecile: 1,
        deprived: true,
        localAuthority: { code: 'E08000003', name: 'Manchester' },
        source: 'derived',
      }),
    ]);

    const continuity = await needmap(['lookup', '--ref', shipped, '--edition', 'IoD2019', 'SE13 6AA']);
    expect(JSON.parse(continuity.stdout)).toMatchObject({ lsoa: 'E01033327', imdDecile: 2, imdRank: 6379, edition: 'IoD2019', deprived: true });
    const badEdition = await needmap(['lookup', '--ref', shipped, '--edition', '2019', 'SE13 6AA']);
    expect(badEdition.code).toBe(2);
    expect(badEdition.stderr).toContain('--edition must be IoD2025 or IoD2019 (got "2019")');

    const mixed = await needmap(['lookup', '--ref', shipped, 'DT1 1AA', 'FK1 7ZZ', 'CF10 1AA', 'SE13 9ZZ', 'PR1 2A']);
    expect(mixed.code).toBe(1);
    expect(
      mixed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      expect.objectContaining({ postcode: 'DT1 1AA', imdDecile: 8 }),
      expect.objectContaining({
        postcode: 'FK1 7ZZ',
        imdDecile: null,
        source: null,
        reason: 'In Scotland, outside England and Wales: the English Indices of Deprivation do not cover Scotland.',
      }),
      expect.objectContaining({
        postcode: 'CF10 1AA',
        sector: 'CF10 1',
        lsoa21: 'W01002019',
        localAuthority: { code: 'W06000015', name: 'Cardiff' },
        imdDecile: null,
        reason: 'In Wales: the English Indices of Deprivation do not cover Wales (the Welsh Index of Multiple Deprivation is separate).',
      }),
      expect.objectContaining({
        postcode: 'SE13 9ZZ',
        imdDecile: null,
        reason: 'Not in the postcode data: a new or mistyped postcode? If the postcode is right, import the latest ONS postcode directory in Settings.',
      }),
      { input: 'PR1 2A', error: 'PR1 2A is not a complete postcode.' },
    ]);
  });

  it('imports with a summary, then finds the new postcodes', async () => {
    const ref = path.join(tempDir(), 'ref.sqlite');
    const imported = await needmap(['geo', 'import', '--ref', ref, nspl2021]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/Rows read: 5\nPostcodes added: 2 \(updated: 1; now \d+ in all\)\nRows refused: 2\n/);
    expect(imported.stdout).toContain('postcode "NOTAPC" is not valid');
    const refused = await needmap(['geo', 'import', '--ref', ref, wrongFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not an ONS postcode directory[\s\S]*Nothing was imported/);
    const found = await needmap(['lookup', '--ref', ref, 'FK1 7ZZ']);
    expect(found.code).toBe(1);
    expect(JSON.parse(found.stdout)).toMatchObject({
      imdDecile: null,
      source: 'official',
      reason: 'In Scotland, outside England and Wales: the English Indices of Deprivation do not cover Scotland.',
    });
  });
});
