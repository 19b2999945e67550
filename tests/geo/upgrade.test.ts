/** A user's copy written by an earlier NeedMap (format 1) becomes the national data with its own rows kept. */
import fs from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createAppContext, loadNeighbourhoods, shippedReferenceFile } from '../../src-main/app-context.ts';
import { NO_LSOA, monthNumber, postcodeKey } from '../../src-main/core/postcode-index.ts';
import { REFERENCE_SCHEMA_SQL } from '../../src-main/db/geo/reference-file.ts';
import { importReferenceFiles } from '../../src-main/db/geo/import.ts';
import { ReferenceData } from '../../src-main/db/geo/reference.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { aClient, callOk, loginTestAdmin, tempDir } from '../helpers.ts';

const paths = defaultAppPaths();
const shipped = shippedReferenceFile(paths);

/** A format-1 file as NeedMap wrote it before the national data: raw typed-array parts, one row per postcode. */
function writeFormat1(file: string, rows: { postcode: string; lsoa11: string | null; country: number; terminated?: string }[]): void {
  const codes = [...new Set(rows.map((r) => r.lsoa11).filter((c): c is string => c !== null))];
  const sorted = [...rows].sort((a, b) => postcodeKey(a.postcode) - postcodeKey(b.postcode));
  const part = (view: ArrayBufferView | string) =>
    deflateRawSync(typeof view === 'string' ? Buffer.from(view) : Buffer.from(view.buffer, view.byteOffset, view.byteLength));
  const db = new Database(file);
  db.exec(REFERENCE_SCHEMA_SQL);
  db.prepare("INSERT INTO meta VALUES ('format', '1')").run();
  db.prepare('INSERT INTO source VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    'postcodes:NSPL_FEB_2024',
    'ONS National Statistics Postcode Lookup (February 2024)',
    'Office for National Statistics',
    'February 2024',
    'Open Government Licence v3.0',
    'Source: Office for National Statistics licensed under the Open Government Licence v.3.0.',
    'NSPL_FEB_2024_UK.csv',
    rows.length,
    '2025-01-01T00:00:00.000Z',
  );
  const insert = db.prepare('INSERT INTO part VALUES (?, ?)');
  insert.run('lsoa.codes', part(codes.join('\n')));
  insert.run('postcodes.keys', part(Float64Array.from(sorted.map((r) => postcodeKey(r.postcode)))));
  insert.run('postcodes.lsoa11', part(Uint32Array.from(sorted.map((r) => (r.lsoa11 ? codes.indexOf(r.lsoa11) : NO_LSOA)))));
  insert.run('postcodes.lsoa21', part(Uint32Array.from(sorted.map(() => NO_LSOA))));
  insert.run('postcodes.flags', part(Uint8Array.from(sorted.map((r) => r.country | (r.terminated ? 8 : 0)))));
  insert.run('postcodes.terminated', part(Uint16Array.from(sorted.map((r) => (r.terminated ? monthNumber(r.terminated) : 0)))));
  db.close();
}

describe('upgrading an earlier copy of the reference data', () => {
  it('keeps the user’s imported rows as official ones over the national data, and keeps the old file', async () => {
    const dir = tempDir();
    const userFile = path.join(dir, 'reference.sqlite');
    writeFormat1(userFile, [
      { postcode: 'M14 4PX', lsoa11: 'E01005132', country: 1 }, // imported from an NSPL: a different neighbourhood than the derived one
      { postcode: 'NE1 4ST', lsoa11: 'E01008397', country: 1, terminated: '202301' },
      { postcode: 'WC1A 7ZZ', lsoa11: 'E01000919', country: 1 }, // not in the national file at all
    ]);
    const reference = loadNeighbourhoods(paths, userFile);
    expect(reference?.file).toBe(userFile);
    expect(fs.existsSync(`${userFile}.format1`)).toBe(true);
    expect(reference!.lookup('M14 4PX')).toMatchObject({ lsoa: 'E01005132', source: 'official', imdDecile: 1 });
    expect(reference!.lookup('NE1 4ST')).toMatchObject({ source: 'official', terminatedSince: 'January 2023', imdDecile: null });
    expect(reference!.lookup('WC1A 7ZZ')).toMatchObject({ lsoa: 'E01000919', lsoa21: 'E01000919', source: 'official', imdEdition: 'IoD2025' });
    expect(reference!.lookup('TR1 2AA')).toMatchObject({ source: 'derived', localAuthority: { name: 'Cornwall' } });
    const status = reference!.status();
    expect(status.postcodes).toBe(ReferenceData.load(shipped).status().postcodes + 1);
    expect(status.sources.map((s) => s.id)).toContain('postcodes:NSPL_FEB_2024');

    // Already upgraded: a later import reads it as it is.
    fs.writeFileSync(path.join(dir, 'NSPL_MAY_2025_UK_X.csv'), 'pcds,doterm,ctry,lsoa11\nM14 4PX,,E92000001,E01005244\n');
    await importReferenceFiles(userFile, [path.join(dir, 'NSPL_MAY_2025_UK_X.csv')], { shippedFile: shipped });
    expect(ReferenceData.load(userFile).lookup('M14 4PX')).toMatchObject({ lsoa: 'E01005244', source: 'official' });
    expect(ReferenceData.load(userFile).lookup('WC1A 7ZZ')).toMatchObject({ source: 'official' });
  });
});

describe('clients computed with older reference data', () => {
  it('are recomputed once when their database opens with new data, and not again', async () => {
    const dir = tempDir();
    const dbFile = path.join(dir, 'case.db');
    const open = () => createAppContext({ dbFile, paths, host: 'browser', referenceFile: path.join(dir, 'reference.sqlite') });
    const first = open();
    loginTestAdmin(first);
    const created = await callOk(first, 'clients.create', { client: { ...aClient, postcode: 'M14 4PX' } });
    const id = created.kind === 'created' ? created.id : -1;
    // As an earlier NeedMap left it: not in its postcode data, and no record of which data computed it.
    first.caseDb.sqlite
      .prepare(
        "UPDATE clients SET lsoa = NULL, imd_decile = NULL, imd_rank = NULL, imd_edition = NULL, geo_reason = 'Not in the postcode data', lsoa21 = NULL, local_authority_code = NULL, local_authority_name = NULL, geo_source = NULL WHERE id = ?",
      )
      .run(id);
    first.caseDb.sqlite.prepare("DELETE FROM settings WHERE key = 'geo.clientsComputedWith'").run();
    first.caseDb.close();

    const second = open();
    loginTestAdmin(second);
    expect((await callOk(second, 'clients.get', { id })).client.geography).toMatchObject({
      imdDecile: 3,
      imdEdition: 'IoD2025',
      geoReason: null,
      localAuthorityCode: 'E08000003',
      localAuthorityName: 'Manchester',
      geoSource: 'derived',
    });
    // The deciles report says how many deciles rest on a derived placement.
    const deciles = await callOk(second, 'reports.deciles', { filter: { from: '2020-01-01', to: '2030-12-31' } });
    expect(deciles).toMatchObject({ editions: [{ edition: 'IoD2025', clients: 1 }], derivedPlacements: 1 });
    // Once noted, a later open leaves the stored figures alone.
    second.caseDb.sqlite.prepare('UPDATE clients SET imd_decile = 9 WHERE id = ?').run(id);
    second.caseDb.close();
    const third = open();
    loginTestAdmin(third);
    expect((await callOk(third, 'clients.get', { id })).client.geography.imdDecile).toBe(9);
    third.caseDb.close();
  });
});
