/** Official rows over derived ones, postcode by postcode; the packed columns; sharing residents out. */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { shippedReferenceFile } from '../../src-main/app-context.ts';
import { packIds, packSortedKeys, unpackIds, unpackSortedKeys } from '../../src-main/core/packed-columns.ts';
import { apportionPopulation, per1000, shareOut } from '../../src-main/core/population.ts';
import { mergeIntoIndex, PostcodeRows } from '../../src-main/core/postcode-merge.ts';
import { NO_LSOA, OFFICIAL_FLAG, PostcodeIndex, TERMINATED_FLAG, postcodeKey, sectorKeyOf } from '../../src-main/core/postcode-index.ts';
import { importReferenceFiles } from '../../src-main/db/geo/import.ts';
import { ReferenceImport, emptyReferenceContent } from '../../src-main/db/geo/reference-import.ts';
import { ReferenceData } from '../../src-main/db/geo/reference.ts';
import { defaultAppPaths } from '../../src-main/paths.ts';
import { tempDir } from '../helpers.ts';

const shipped = shippedReferenceFile(defaultAppPaths());
const DERIVED_HEADER = 'pcds,lat,long,lsoa11cd,lsoa21cd,lsoa11_method,lsoa21_method';
const NSPL_HEADER = 'pcd,pcds,doterm,ctry,lsoa11,lat,long';

async function importText(run: ReferenceImport, name: string, text: string): Promise<void> {
  await run.addCsv(name, Readable.from([Buffer.from(text)]), text.length, name, true);
}

describe('official rows take precedence over derived ones', () => {
  const lookup = {
    successors: (id: number) => (id === 1 ? [2, 3] : id === 4 ? [4] : []),
    predecessors: (id: number) => (id === 2 || id === 3 ? [1] : id === 4 ? [4] : []),
  };
  const derived = (lsoa11: number, lsoa21: number) => ({ lsoa11, lsoa21, flags: 1, terminatedMonth: 0 });
  const official = (lsoa11: number, lsoa21: number, terminatedMonth = 0) => ({
    lsoa11,
    lsoa21,
    flags: 1 | OFFICIAL_FLAG | (terminatedMonth ? TERMINATED_FLAG : 0),
    terminatedMonth,
  });

  it('in either order, keeping the official termination and filling a missing 2021 LSOA from the derived row when they agree', () => {
    const rows = new PostcodeRows();
    rows.push(10, derived(1, 3)); // then official for 10: official stands, takes lsoa21 3 (a successor of 1)
    rows.push(10, official(1, NO_LSOA));
    rows.push(20, official(4, NO_LSOA, 1182)); // then derived for 20: the official, terminated row stands
    rows.push(20, derived(5, 5));
    rows.push(30, derived(1, 2)); // derived after derived: the later one
    rows.push(30, derived(1, 3));
    rows.push(40, official(1, NO_LSOA)); // split LSOA, nothing to agree with: no 2021 LSOA
    const { index, counts } = mergeIntoIndex(PostcodeIndex.fromEntries([]), rows, lookup);
    expect([...index.entries()]).toEqual([
      { key: 10, lsoa11: 1, lsoa21: 3, flags: 1 | OFFICIAL_FLAG, terminatedMonth: 0 },
      { key: 20, lsoa11: 4, lsoa21: 4, flags: 1 | OFFICIAL_FLAG | TERMINATED_FLAG, terminatedMonth: 1182 },
      { key: 30, lsoa11: 1, lsoa21: 3, flags: 1, terminatedMonth: 0 },
      { key: 40, lsoa11: 1, lsoa21: NO_LSOA, flags: 1 | OFFICIAL_FLAG, terminatedMonth: 0 },
    ]);
    expect(counts).toEqual({ added: 4, updated: 0, officialOverDerived: 2 });

    // Against an index that already holds them: a derived row never replaces an official one.
    const later = new PostcodeRows();
    later.push(20, derived(4, 4));
    later.push(30, official(1, 2));
    later.push(50, derived(4, 4));
    const merged = mergeIntoIndex(index, later, lookup);
    expect(merged.index.entry(1)).toMatchObject({ key: 20, flags: 1 | OFFICIAL_FLAG | TERMINATED_FLAG });
    expect(merged.index.entry(2)).toMatchObject({ key: 30, lsoa21: 2, flags: 1 | OFFICIAL_FLAG });
    expect(merged.counts).toEqual({ added: 1, updated: 1, officialOverDerived: 2 });
  });

  it('through the importer: files of both kinds, in either order', async () => {
    const run = new ReferenceImport(emptyReferenceContent());
    run.addLsoaLink({
      lsoa11: 'E01000001',
      lsoa11Name: 'A 001A',
      lsoa21: 'E01000001',
      lsoa21Name: 'A 001A',
      authority: 'E09000001',
      authorityName: 'City of London',
    });
    await importText(
      run,
      'NSPL_NOV_2021_UK_TEST.csv',
      `${NSPL_HEADER}\nAB1 0AA,AB1 0AA,,E92000001,E01000001,0,0\nAB1 0AB,AB1 0AB,199806,E92000001,E01000001,0,0\n`,
    );
    await importText(
      run,
      'derived.csv',
      `${DERIVED_HEADER}\nAB1 0AA,0,0,E01000002,E01000002,in,lookup_U\nAB1 0AB,0,0,E01000001,E01000001,in,lookup_U\nAB1 0AD,0,0,E01000001,E01000001,in,lookup_U\n`,
    );
    const content = run.finish();
    const at = (pc: string) => content.index.entry(content.index.find(pc));
    const code = (id: number) => content.lsoaCodes[id];
    expect([code(at('AB1 0AA').lsoa11), code(at('AB1 0AA').lsoa21), at('AB1 0AA').flags & OFFICIAL_FLAG]).toEqual(['E01000001', 'E01000001', OFFICIAL_FLAG]);
    expect(at('AB1 0AB')).toMatchObject({ flags: 1 | OFFICIAL_FLAG | TERMINATED_FLAG, terminatedMonth: 98 * 12 + 6 });
    expect(at('AB1 0AD').flags & OFFICIAL_FLAG).toBe(0);
    expect(run.officialOverDerived).toBe(2);
    expect(content.sources.map((s) => s.id)).toEqual(['postcodes:NSPL_NOV_2021']); // the derived file is not an ONS directory
  });

  it('in the user’s copy of the national data', async () => {
    const dir = tempDir();
    // An official row moves M14 4PX to another neighbourhood; a derived file then tries to move it back and to move WC1A 1AB (official).
    const nspl = path.join(dir, 'NSPL_MAY_2025_UK_M.csv');
    fs.writeFileSync(nspl, `${NSPL_HEADER}\nM14 4PX,M14 4PX,,E92000001,E01005132,0,0\n`);
    const derived = path.join(dir, 'postcodes-derived.csv');
    fs.writeFileSync(derived, `${DERIVED_HEADER}\nM14 4PX,0,0,E01005244,E01005244,in,lookup_U\nWC1A 1AB,0,0,E01005244,E01005244,in,lookup_U\n`);
    const ref = path.join(dir, 'reference.sqlite');
    const summary = await importReferenceFiles(ref, [nspl, derived], { shippedFile: shipped });
    expect(summary).toMatchObject({ rowsRead: 3, postcodesAdded: 0, postcodesUpdated: 1, rowsRefused: 0 });
    const after = ReferenceData.load(ref);
    expect(after.lookup('M14 4PX')).toMatchObject({ lsoa: 'E01005132', lsoaName: 'Manchester 061B', source: 'official', imdDecile: 1 });
    expect(after.lookup('WC1A 1AB')).toMatchObject({ lsoa: 'E01000919', source: 'official' });
    expect(after.status().officialPostcodes).toBe(ReferenceData.load(shipped).status().officialPostcodes + 1);
  });
});

describe('packed columns', () => {
  it('round-trip sorted keys and ids, including large gaps and "none"', () => {
    const keys = Float64Array.from([postcodeKey('AB1 0AA'), postcodeKey('AB1 0AB'), postcodeKey('M14 4PX'), postcodeKey('ZE3 9JZ')]);
    expect(unpackSortedKeys(packSortedKeys(keys), keys.length)).toEqual(keys);
    expect(() => packSortedKeys(Float64Array.from([5, 5]))).toThrow(/not above/);
    const ids = Uint32Array.from([0, 7, 7, NO_LSOA, 40_000, 3, NO_LSOA]);
    const base = Uint32Array.from([0, 7, 8, 5, NO_LSOA, 3, NO_LSOA]);
    expect(unpackIds(packIds(ids), ids.length)).toEqual(ids);
    expect(unpackIds(packIds(ids, base), ids.length, base)).toEqual(ids);
    expect(packIds(base, base)).toEqual(new Uint8Array(7)); // equal columns cost one zero byte each
    expect(() => unpackIds(packIds(ids), ids.length + 1)).toThrow(/do not match|ends early/);
  });
});

describe('sharing residents out', () => {
  it('gives whole people in proportion, adding back to the total', () => {
    expect(shareOut(10, [{ count: 1 }, { count: 1 }, { count: 1 }]).map((p) => p.residents)).toEqual([4, 3, 3]);
    expect(shareOut(1500, [{ count: 2 }, { count: 1 }]).map((p) => p.residents)).toEqual([1000, 500]);
    expect(shareOut(7, [{ count: 0 }]).map((p) => p.residents)).toEqual([0]);
    for (let trial = 0; trial < 200; trial++) {
      const parts = Array.from({ length: 1 + (trial % 7) }, (_, i) => ({ count: 1 + ((trial * 31 + i * 17) % 13) }));
      const total = (trial * 97) % 3000;
      expect(shareOut(total, parts).reduce((n, p) => n + p.residents, 0)).toBe(total);
    }
  });

  it('splits each LSOA across its sectors and authorities, and says which LSOAs had no postcode', () => {
    const s1 = sectorKeyOf(postcodeKey('M14 4PX'));
    const s2 = sectorKeyOf(postcodeKey('M14 5AA'));
    const postcodes = [
      { lsoa: 1, sector: s1, authority: 0 },
      { lsoa: 1, sector: s1, authority: 0 },
      { lsoa: 1, sector: s2, authority: 1 },
      { lsoa: 2, sector: s2, authority: 1 },
    ];
    const population = [0, 1000, 501, 77];
    const { cells, unplaced } = apportionPopulation(postcodes, (id) => population[id]!, [1, 2, 3]);
    expect(cells).toEqual([
      { lsoa: 1, sector: s1, authority: 0, residents: 667 },
      { lsoa: 1, sector: s2, authority: 1, residents: 333 },
      { lsoa: 2, sector: s2, authority: 1, residents: 501 },
    ]);
    expect(unplaced).toEqual([{ lsoa: 3, residents: 77 }]);
    expect(per1000(12, 4000)).toBe(3);
    expect(per1000(1, 3)).toBe(333.3);
    expect(per1000(5, null)).toBeNull();
  });
});
