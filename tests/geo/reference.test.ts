/** The shipped reference data, checked against known values and (where present) the raw source files. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { demoPostcodes, shippedReferenceFile } from '../../src-main/app-context.ts';
import { ReferenceData } from '../../src-main/db/reference.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';

const shipped = shippedReferenceFile(defaultAppPaths());
const reference = ReferenceData.load(shipped);
const sharedData = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const haveShared = fs.existsSync(path.join(sharedData, 'iod2019_lsoa11.csv'));

describe('shipped reference data', () => {
  it('is small and loads fast', () => {
    expect(fs.statSync(shipped).size).toBeLessThan(5_000_000);
    const started = performance.now();
    ReferenceData.load(shipped);
    expect(performance.now() - started).toBeLessThan(300);
  });

  it('knows these postcodes (values copied from the IoD2019 and NSPL Nov 2021 files)', () => {
    // WC1A 1AB: NSPL lsoa11 E01000919 (imd column 12962) → IoD2019 "Camden 028D", rank 12962, decile 4.
    expect(reference.lookup('WC1A 1AB')).toEqual({
      lsoa: 'E01000919',
      lsoaName: 'Camden 028D',
      country: 'England',
      terminatedSince: null,
      imdDecile: 4,
      imdRank: 12962,
      imdEdition: 'IoD2019',
      domains: { income: 5, employment: 5, education: 7, health: 7, crime: 2, housing: 4, livingEnvironment: 1 },
      reason: null,
    });
    // SE13 6AA: Lewisham lookup E01033327 → "Lewisham 012F", rank 6379, decile 2.
    expect(reference.lookup('se136aa')).toMatchObject({ lsoa: 'E01033327', lsoaName: 'Lewisham 012F', imdRank: 6379, imdDecile: 2 });
    // DT1 1AA: E01032643 "West Dorset 009G", rank 23347, decile 8.
    expect(reference.lookup('DT1 1AA')).toMatchObject({ lsoa: 'E01032643', lsoaName: 'West Dorset 009G', imdRank: 23347, imdDecile: 8 });
    // TF1 1AA: E01014145.
    expect(reference.lookup('TF1 1AA')).toMatchObject({ lsoa: 'E01014145', imdEdition: 'IoD2019' });
  });

  it('says precisely why a decile is unknown', () => {
    expect(reference.lookup('SE13 9ZZ')).toMatchObject({ imdDecile: null, lsoa: null, reason: 'Not in the postcode data — a new or mistyped postcode?' });
    expect(reference.lookup('WC1A 1AA')).toMatchObject({
      imdDecile: null,
      lsoa: 'E01000855',
      terminatedSince: 'June 1998',
      reason: "Terminated postcode: no longer in use since June 1998. Check the client's current postcode.",
    });
    expect(reference.lookup('LD1 5AB')).toMatchObject({
      imdDecile: null,
      country: 'Wales',
      reason: 'Outside England (Wales): the English Indices of Deprivation do not apply.',
    });
    expect(reference.lookup('IM1 1AD').reason).toBe('Outside England (Isle of Man): the English Indices of Deprivation do not apply.');
    expect(reference.lookup('GY1 1AA').reason).toBe('Outside England (Channel Islands): the English Indices of Deprivation do not apply.');
    expect(reference.lookup('ZE1 0AA').country).toBe('Scotland');
  });

  it('records its sources, release dates and licences', () => {
    const status = reference.status();
    expect(status.lsoas).toEqual({ IoD2019: 32844, IoD2025: 33755 });
    expect(status.sources.map((s) => [s.id, s.released, s.licence])).toEqual([
      ['iod:IoD2019', 'September 2019', 'Open Government Licence v3.0'],
      ['iod:IoD2025', 'October 2025', 'Open Government Licence v3.0'],
      ['postcodes:NSPL_NOV_2021', 'November 2021', 'Open Government Licence v3.0'],
      ['postcodes:lewisham', expect.any(String), 'Open Government Licence v3.0'],
    ]);
    expect(status.attribution).toContain('Contains public sector information licensed under the Open Government Licence v3.0.');
    expect(status.attribution.join(' ')).toMatch(/Contains Royal Mail data © Royal Mail copyright and database right 2021/);
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

  it.skipIf(!haveShared)('agrees with every row of the raw source files (../shared/data)', () => {
    const csv = (file: string) => parse(fs.readFileSync(path.join(sharedData, file)), { columns: true, bom: true }) as Record<string, string>[];
    const iod2019 = new Map(csv('iod2019_lsoa11.csv').map((r) => [r.lsoa_code!, r]));
    let checked = 0;
    const nsplDir = path.join(sharedData, 'nspl-nov2021');
    for (const file of fs.readdirSync(nsplDir)) {
      for (const row of csv(path.join('nspl-nov2021', file))) {
        const found = reference.lookup(row.pcds!);
        checked++;
        if (row.doterm) {
          expect(found.reason, row.pcds).toMatch(/^Terminated postcode/);
        } else if (row.ctry === '') {
          // One live DG6 postcode carries no geography at all in this release.
          expect(found.reason, row.pcds).toBe('No neighbourhood (LSOA) is recorded for this postcode.');
        } else if (row.ctry !== 'E92000001') {
          expect(found.reason, row.pcds).toMatch(/^Outside England/);
        } else {
          const expected = iod2019.get(row.lsoa11!)!;
          expect([row.pcds, found.lsoa, found.imdDecile, found.imdRank]).toEqual([row.pcds, row.lsoa11, Number(expected.imd_decile), Number(row.imd)]);
        }
      }
    }
    for (const row of csv('lewisham_postcode_lsoa11.csv')) {
      const found = reference.lookup(row.postcode!);
      checked++;
      expect([row.postcode, found.lsoa, found.imdDecile]).toEqual([row.postcode, row.lsoa_code, Number(iod2019.get(row.lsoa_code!)!.imd_decile)]);
    }
    expect(checked).toBe(106811 + 8419);
  });
});
if (!haveShared) console.warn(`Skipping the full check against the raw source files: ${sharedData} is not here (it is not part of a clone).`);
