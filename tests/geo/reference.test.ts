/** The shipped reference data, checked against known values and (where present) a sample of the raw source files. */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { demoPostcodes, shippedReferenceFile } from '../../src-main/app-context.ts';
import { apportionPopulation } from '../../src-main/core/population.ts';
import { NO_LSOA, TERMINATED_FLAG, sectorKeyOf } from '../../src-main/core/postcode-index.ts';
import { unpackReference } from '../../src-main/db/geo/reference-file.ts';
import { populationTable } from '../../src-main/db/geo/reference-population.ts';
import { ReferenceData } from '../../src-main/db/geo/reference.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';

const shipped = shippedReferenceFile(defaultAppPaths());
const reference = ReferenceData.load(shipped);
const sharedData = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const haveShared = fs.existsSync(path.join(sharedData, 'national', 'postcode-lsoa-ew-derived-may2025.csv.gz'));

const NOT_IN_DATA = 'Not in the postcode data: a new or mistyped postcode? If the postcode is right, import the latest ONS postcode directory in Settings.';

describe('shipped reference data', () => {
  it('is compact: every English and Welsh postcode in a few megabytes, no shipped file near the 50 MB hosting limit', () => {
    expect(reference.packed.index.size).toBeGreaterThan(2_400_000);
    expect(fs.statSync(shipped).size).toBeLessThan(30_000_000);
    for (const file of fs.readdirSync(path.dirname(shipped))) expect(fs.statSync(path.join(path.dirname(shipped), file)).size).toBeLessThan(50_000_000);
  });

  it('places a postcode anywhere in England with no import (values copied from the national files and IoD2025)', () => {
    // M14 4PX: derived file lsoa11 = lsoa21 = E01005244 ("Manchester 025C", Manchester E08000003); IoD2025 rank 7163, decile 3.
    expect(reference.lookup('m14 4px')).toEqual({
      lsoa: 'E01005244',
      lsoaName: 'Manchester 025C',
      lsoa11: 'E01005244',
      lsoa21: 'E01005244',
      localAuthority: { code: 'E08000003', name: 'Manchester' },
      country: 'England',
      source: 'derived',
      terminatedSince: null,
      imdDecile: 3,
      imdRank: 7163,
      imdEdition: 'IoD2025',
      domains: { income: 3, employment: 5, education: 3, health: 2, crime: 2, housing: 2, livingEnvironment: 2 },
      reason: null,
    });
    // NE1 4ST: E01008397, 2021 name "Newcastle upon Tyne 036B" (2011: 024C); IoD2025 rank 10328, decile 4.
    expect(reference.lookup('NE14ST')).toMatchObject({
      lsoa: 'E01008397',
      lsoaName: 'Newcastle upon Tyne 036B',
      localAuthority: { code: 'E08000021', name: 'Newcastle upon Tyne' },
      imdRank: 10328,
      imdDecile: 4,
    });
    // TR1 2AA: its 2011 LSOA E01018809 was split in 2021; the derived file places it in E01034864 (Cornwall).
    expect(reference.lookup('TR1 2AA')).toMatchObject({
      lsoa: 'E01034864',
      lsoa11: 'E01018809',
      lsoa21: 'E01034864',
      localAuthority: { code: 'E06000052', name: 'Cornwall' },
      imdEdition: 'IoD2025',
      source: 'derived',
    });
  });

  it('keeps the official rows, and names each neighbourhood in the geography of the edition used', () => {
    // WC1A 1AB: NSPL Nov 2021 lsoa11 E01000919 (unchanged in 2021). IoD2025: rank 9765, decile 3; IoD2019: rank 12962, decile 4.
    expect(reference.lookup('WC1A 1AB')).toMatchObject({ lsoa: 'E01000919', source: 'official', imdEdition: 'IoD2025', imdRank: 9765, imdDecile: 3 });
    expect(reference.lookup('WC1A 1AB', 'IoD2019')).toMatchObject({ lsoaName: 'Camden 028D', imdEdition: 'IoD2019', imdRank: 12962, imdDecile: 4 });
    // SE13 6AA: Lewisham's lookup E01033327, "Lewisham 012F" in 2011 (IoD2019 rank 6379, decile 2), "Lewisham 041B" in 2021.
    expect(reference.lookup('se136aa', 'IoD2019')).toMatchObject({ lsoaName: 'Lewisham 012F', imdRank: 6379, imdDecile: 2, source: 'official' });
    expect(reference.lookup('SE13 6AA')).toMatchObject({ lsoaName: 'Lewisham 041B', imdEdition: 'IoD2025', localAuthority: { name: 'Lewisham' } });
    // DT1 1AA: E01032643 "West Dorset 009G", IoD2019 rank 23347, decile 8.
    expect(reference.lookup('DT1 1AA', 'IoD2019')).toMatchObject({ lsoa: 'E01032643', lsoaName: 'West Dorset 009G', imdRank: 23347, imdDecile: 8 });
  });

  it('says precisely why a decile is unknown', () => {
    // Welsh: sector, LSOA and local authority known; no English decile.
    expect(reference.lookup('CF10 1AA')).toMatchObject({
      imdDecile: null,
      country: 'Wales',
      lsoa21: 'W01002019',
      localAuthority: { code: 'W06000015', name: 'Cardiff' },
      reason: 'In Wales: the English Indices of Deprivation do not cover Wales (the Welsh Index of Multiple Deprivation is separate).',
    });
    // Scottish, not in the data: the postcode area says where it is.
    expect(reference.lookup('EH1 1AA')).toMatchObject({
      imdDecile: null,
      country: 'Scotland',
      source: null,
      reason: 'In Scotland, outside England and Wales: the English Indices of Deprivation do not cover Scotland.',
    });
    expect(reference.lookup('ZE1 0AA')).toMatchObject({ country: 'Scotland', source: 'official', reason: expect.stringMatching(/^In Scotland, outside/) });
    expect(reference.lookup('BT1 1AA').reason).toBe(
      'In Northern Ireland, outside England and Wales: the English Indices of Deprivation do not cover Northern Ireland.',
    );
    expect(reference.lookup('IM1 1AD').reason).toBe(
      'In the Isle of Man, outside England and Wales: the English Indices of Deprivation do not cover the Isle of Man.',
    );
    expect(reference.lookup('GY1 1AA').reason).toMatch(/^In the Channel Islands, outside England and Wales/);
    // TD15 is Berwick-upon-Tweed, in England: a missing TD15 postcode is simply not in the data.
    expect(reference.lookup('TD15 1AA')).toMatchObject({ country: 'England', localAuthority: { name: 'Northumberland' } });
    expect(reference.lookup('TD15 9ZZ')).toMatchObject({ country: null, reason: NOT_IN_DATA });
    expect(reference.lookup('SE13 9ZZ')).toMatchObject({ imdDecile: null, lsoa: null, source: null, reason: NOT_IN_DATA });
    // Official termination dates are kept (the derived file has WC1A 1AA too, but cannot tell it ended in 1998).
    expect(reference.lookup('WC1A 1AA')).toMatchObject({
      imdDecile: null,
      lsoa: 'E01000855',
      source: 'official',
      terminatedSince: 'June 1998',
      reason: "Terminated postcode: no longer in use since June 1998. Check the client's current postcode.",
    });
  });

  it('records its sources, release dates and licences', () => {
    const status = reference.status();
    expect(status.lsoas).toEqual({ IoD2019: 32844, IoD2025: 33755 });
    expect(status.localAuthorities).toBe(331);
    expect(status.populationYear).toBe('mid-2020');
    expect(status.sources.map((s) => [s.id, s.released, s.licence])).toEqual([
      ['iod:IoD2019', 'September 2019', 'Open Government Licence v3.0'],
      ['iod:IoD2025', 'October 2025', 'Open Government Licence v3.0'],
      ['lookup:lsoa11-lsoa21-ltla22', '2022', 'Open Government Licence v3.0'],
      ['population:mid2020-lsoa11', 'September 2021', 'Open Government Licence v3.0'],
      ['postcodes:NSPL_NOV_2021', 'November 2021', 'Open Government Licence v3.0'],
      ['postcodes:derived-may2025', 'May 2025 (postcode coordinates)', 'Open Government Licence v3.0'],
      ['postcodes:lewisham', expect.any(String), 'Open Government Licence v3.0'],
    ]);
    const attribution = status.attribution.join(' ');
    expect(attribution).toMatch(/Contains Royal Mail data © Royal Mail copyright and database right 2021/);
    expect(attribution).toMatch(/Contains Royal Mail data © Royal Mail copyright and database right 2025/);
    expect(attribution).toMatch(/Contains National Statistics data © Crown copyright and database right 2011–2022/);
  });

  it('shares every LSOA’s residents out among its sectors, adding back to the LSOA totals', () => {
    const { index, lsoaPopulation, lsoaCodes } = reference.packed;
    const counted = [];
    for (let i = 0; i < index.size; i++) {
      const lsoa = index.lsoa11[i]!;
      if (lsoa !== NO_LSOA && lsoaPopulation[lsoa]! > 0 && !(index.flags[i]! & TERMINATED_FLAG))
        counted.push({ lsoa, sector: sectorKeyOf(index.keys[i]!), authority: 0 });
    }
    const ids = lsoaCodes.map((_, id) => id);
    const { cells, unplaced } = apportionPopulation(counted, (id) => lsoaPopulation[id]!, ids);
    const byLsoa = new Map<number, number>();
    for (const c of cells) byLsoa.set(c.lsoa, (byLsoa.get(c.lsoa) ?? 0) + c.residents);
    expect(unplaced).toEqual([]);
    let lsoas = 0;
    for (const id of ids) {
      if (lsoaPopulation[id]! === 0) continue;
      lsoas++;
      expect(byLsoa.get(id), lsoaCodes[id]).toBe(lsoaPopulation[id]);
    }
    expect(lsoas).toBe(34753); // every LSOA of England and Wales

    // The shipped table is exactly that sharing out, and sectors and authorities both add up to England and Wales.
    const table = reference.population()!;
    expect(table).toEqual(populationTable(unpackReference(reference.packed)));
    const total = lsoaPopulation.reduce((n, p) => n + p, 0);
    const sectorTotal = Object.values(table.sectors).reduce((n, s) => n + Object.values(s).reduce((a, b) => a + b, 0), 0);
    expect(sectorTotal + table.unplaced).toBe(total);
    expect(Object.values(table.authorities).reduce((a, b) => a + b, 0)).toBe(total);
    expect(reference.sectorResidents('M14 4')).toMatchObject({ mainAuthority: { name: 'Manchester' }, mainShare: 1 });
    expect(reference.sectorResidents('M14 4')!.residents).toBeGreaterThan(1000);
    expect(reference.sectorsOfAuthorities(['E08000003'])).toContain('M14 4');
  });

  it('gives the demo a deterministic sample of live English postcodes', () => {
    const sample = demoPostcodes(defaultAppPaths(), reference);
    expect(sample.length).toBeGreaterThan(2000);
    expect(demoPostcodes(defaultAppPaths(), reference)).toEqual(sample);
    for (const p of sample.slice(0, 200)) {
      const found = reference.lookup(p.postcode);
      expect(found.country).toBe('England');
      expect(found.imdDecile).toBe(p.imdDecile);
    }
  });

  it.skipIf(!haveShared)('agrees with a sample of the raw source files (../shared/data)', () => {
    const csv = (file: string) => {
      const bytes = fs.readFileSync(path.join(sharedData, file));
      return parse(file.endsWith('.gz') ? gunzipSync(bytes) : bytes, { columns: true, bom: true }) as Record<string, string>[];
    };
    const iod2025 = new Map(csv('iod2025_lsoa21.csv').map((r) => [r.lsoa_code!, r]));
    const iod2019 = new Map(csv('iod2019_lsoa11.csv').map((r) => [r.lsoa_code!, r]));
    const authorityOf = new Map(csv('national/lsoa11-lsoa21-ltla22.csv.gz').map((r) => [r.lsoa21_code!, r.ltla22_code!]));

    // Every 500th derived row (about 4,800): placed as the file says, unless an official row stands in its place.
    // (A plain split: the file has no quoted fields, and a full CSV parse of 2.4M rows takes most of a minute.)
    const derivedLines = gunzipSync(fs.readFileSync(path.join(sharedData, 'national', 'postcode-lsoa-ew-derived-may2025.csv.gz')))
      .toString('utf8')
      .split(/\r?\n/);
    expect(derivedLines[0]).toBe('pcds,lat,long,lsoa11cd,lsoa21cd,lsoa11_method,lsoa21_method');
    let derived = 0;
    derivedLines.slice(1).forEach((line, i) => {
      if (i % 500 !== 0 || line === '') return;
      const [pcds, , , lsoa11cd, lsoa21cd] = line.split(',');
      const row = { pcds, lsoa11cd, lsoa21cd };
      const found = reference.lookup(row.pcds!);
      if (found.source === 'official' || /^(NPT|W1[MNRVXY]) /.test(row.pcds!)) return; // not kept: historic formats
      derived++;
      expect([row.pcds, found.lsoa11, found.lsoa21, found.localAuthority?.code]).toEqual([
        row.pcds,
        row.lsoa11cd,
        row.lsoa21cd,
        authorityOf.get(row.lsoa21cd!),
      ]);
      const expected = iod2025.get(row.lsoa21cd!);
      expect([row.pcds, found.imdDecile, found.imdRank]).toEqual(
        expected ? [row.pcds, Number(expected.imd_decile), Number(expected.imd_rank)] : [row.pcds, null, null],
      );
    });
    expect(derived).toBeGreaterThan(4000);

    // Every official NSPL November 2021 row: its own LSOA, termination and country, whatever the derived file says.
    let official = 0;
    const nsplDir = path.join(sharedData, 'nspl-nov2021');
    for (const file of fs.readdirSync(nsplDir)) {
      for (const row of csv(path.join('nspl-nov2021', file))) {
        const found = reference.lookup(row.pcds!, 'IoD2019');
        official++;
        expect([row.pcds, found.source]).toEqual([row.pcds, 'official']);
        if (row.doterm) expect(found.reason, row.pcds).toMatch(/^Terminated postcode/);
        else if (row.ctry === '') expect(found.reason, row.pcds).toBe('No neighbourhood (LSOA) is recorded for this postcode.');
        else if (row.ctry === 'W92000004') expect(found.reason, row.pcds).toMatch(/^In Wales/);
        else if (row.ctry !== 'E92000001') expect(found.reason, row.pcds).toMatch(/outside England and Wales/);
        else {
          const expected = iod2019.get(row.lsoa11!)!;
          expect([row.pcds, found.lsoa, found.imdDecile, found.imdRank]).toEqual([row.pcds, row.lsoa11, Number(expected.imd_decile), Number(row.imd)]);
        }
      }
    }
    expect(official).toBe(106811);

    // Residents per LSOA as the population file has them.
    const { lsoaCodes, lsoaPopulation } = reference.packed;
    const ids = new Map(lsoaCodes.map((code, id) => [code, id]));
    for (const row of csv('national/population-mid2020-lsoa11.csv.gz').filter((_, i) => i % 50 === 0)) {
      expect([row.lsoa11_code, lsoaPopulation[ids.get(row.lsoa11_code!)!]]).toEqual([row.lsoa11_code, Number(row.total_population)]);
    }
  });
});
if (!haveShared) console.warn(`Skipping the check against the raw source files: ${sharedData} is not here (it is not part of a clone).`);
