import { describe, expect, it } from 'vitest';
import { DEFAULT_DEPRIVATION_THRESHOLD, decileDescription, deprivationBadge, isAreaOfDeprivation } from '../../src-main/core/deprivation.ts';
import { detectLayout, validateIodRow, validatePostcodeRow } from '../../src-main/core/nspl.ts';
import { PostcodeIndex, postcodeFromKey, postcodeKey } from '../../src-main/core/postcode-index.ts';
import { parsePostcode } from '../../src-main/core/postcode.ts';

describe('parsePostcode', () => {
  it.each([
    ['pr1 2ab', 'PR1 2AB', 'PR1 2', 'PR1'],
    ['PR12AB', 'PR1 2AB', 'PR1 2', 'PR1'],
    ['  se13   6aa ', 'SE13 6AA', 'SE13 6', 'SE13'],
    ['ec1a1bb', 'EC1A 1BB', 'EC1A 1', 'EC1A'],
    ['gir 0aa', 'GIR 0AA', 'GIR 0', 'GIR'],
    ['GIR0AA', 'GIR 0AA', 'GIR 0', 'GIR'],
    ['BF1 3AA', 'BF1 3AA', 'BF1 3', 'BF1'],
  ])('%s → %s (sector %s, district %s)', (input, postcode, sector, district) => {
    expect(parsePostcode(input)).toMatchObject({ ok: true, postcode, sector, district });
  });

  it.each([
    ['', 'Enter a postcode.'],
    ['PR1 2A', 'PR1 2A is not a complete postcode.'],
    ['pr1 2', 'PR1 2 is not a complete postcode.'],
    ['PR1', 'PR1 is only the first half of a postcode.'],
    ['PR1 2A!', 'PR1 2A! contains characters a postcode cannot have.'],
    ['QQ1 2AB', 'QQ1 2AB is not a valid UK postcode (no postcode starts with Q).'],
    ['PR1 2CI', 'PR1 2CI is not a valid UK postcode (the last two letters cannot include C).'],
    ['EC1I 1BB', 'EC1I 1BB is not a valid UK postcode (I cannot follow EC1).'],
    ['BFPO 123', 'BFPO 123 is a British Forces Post Office number, not a postcode; use the BF1 postcode from the address if it has one.'],
  ])('refuses %j with a specific message', (input, error) => {
    expect(parsePostcode(input)).toEqual({ ok: false, error });
  });
});

describe('postcode index keys', () => {
  it('round-trips and keeps postcode order', () => {
    const codes = ['A1 1AA', 'AB1 0AA', 'AB10 1AA', 'B1 1AA', 'GIR 0AA', 'SE13 6AA', 'WC1A 1AB', 'ZE3 9JZ'];
    for (const c of codes) expect(postcodeFromKey(postcodeKey(c))).toBe(c);
    expect(postcodeKey('se136aa')).toBe(postcodeKey('SE13 6AA'));
    expect(postcodeKey('SE13-6AA')).toBe(-1);
    expect(postcodeKey('SE136AAAA')).toBe(-1);
    const index = PostcodeIndex.fromEntries(codes.map((c, i) => ({ key: postcodeKey(c), lsoa11: i, lsoa21: 0, flags: 1, terminatedMonth: 0 })));
    codes.forEach((c, i) => expect(index.lsoa11[index.find(c.toLowerCase())]).toBe(i));
    expect(index.find('SE13 6AB')).toBe(-1);
  });
});

describe('deprivation rule', () => {
  it('counts deciles up to the threshold (default 2) as areas of deprivation', () => {
    expect(DEFAULT_DEPRIVATION_THRESHOLD).toBe(2);
    expect([1, 2, 3, 10].map((d) => isAreaOfDeprivation(d))).toEqual([true, true, false, false]);
    expect(isAreaOfDeprivation(3, 3)).toBe(true);
    expect(isAreaOfDeprivation(null)).toBeNull();
    expect(() => isAreaOfDeprivation(2, 11)).toThrow(/from 1 to 10/);
  });
  it('says it in plain language', () => {
    expect(deprivationBadge(1)).toBe('Lives in one of the 10% most deprived neighbourhoods in England');
    expect(deprivationBadge(2)).toBe('Lives in one of the 20% most deprived neighbourhoods in England');
    expect(deprivationBadge(3)).toBeNull();
    expect(deprivationBadge(null)).toBeNull();
    expect(decileDescription(9, 'IoD2019')).toBe('Decile 9 of 10 (IoD2019): among the 20% least deprived neighbourhoods in England.');
  });
});

describe('reference file layouts', () => {
  it('finds NSPL columns by name and refuses other files with what they lack', () => {
    const nspl = detectLayout(['pcd', 'pcd2', 'pcds', 'dointr', 'doterm', 'ctry', 'lsoa11'], 'NSPL.csv');
    expect(nspl).toEqual({ kind: 'postcodes', columns: { postcode: 2, doterm: 4, lsoa11: 6, lsoa21: null, ctry: 5 }, source: 'official' });
    // NeedMap's national file says how it placed each postcode: its rows are derived, not official.
    const derived = detectLayout(['pcds', 'lat', 'long', 'lsoa11cd', 'lsoa21cd', 'lsoa11_method', 'lsoa21_method'], 'postcode-lsoa-ew-derived-may2025.csv.gz');
    expect(derived).toEqual({ kind: 'postcodes', columns: { postcode: 0, doterm: null, lsoa11: 3, lsoa21: 4, ctry: null }, source: 'derived' });
    expect(detectLayout(['PCDS', 'DOTERM', 'CTRY25CD', 'LSOA21CD'], 'ONSPD.csv')).toMatchObject({ kind: 'postcodes', columns: { lsoa21: 3, ctry: 2 } });
    const noLsoa = detectLayout(['pcds', 'doterm'], 'x.csv');
    expect(noLsoa.kind === 'unrecognised' && noLsoa.reason).toMatch(/no lsoa11 or lsoa21 column/);
    const other = detectLayout(['name', 'address'], 'clients.csv');
    expect(other.kind === 'unrecognised' && other.reason).toMatch(/^clients.csv is not an ONS postcode directory .* Its columns are: name, address\.$/);
  });

  it('checks each row', () => {
    const columns = { postcode: 0, doterm: 1, lsoa11: 2, lsoa21: null, ctry: 3 };
    expect(validatePostcodeRow(['wc1a1ab', '', 'E01000919', 'E92000001'], columns)).toEqual({
      ok: true,
      row: { postcode: 'WC1A 1AB', lsoa11: 'E01000919', lsoa21: null, country: 'England', terminated: null },
    });
    expect(validatePostcodeRow(['JE1 0BD', '', 'L99999999', 'L93000001'], columns)).toMatchObject({
      ok: true,
      row: { lsoa11: null, country: 'Channel Islands' },
    });
    expect(validatePostcodeRow(['WC1A 1AA', '199806', 'E01000855', ''], columns)).toMatchObject({
      ok: true,
      row: { terminated: '199806', country: 'England' },
    });
    expect(validatePostcodeRow(['NOTAPC', '', 'E01000919', 'E92000001'], columns)).toEqual({ ok: false, reason: 'postcode "NOTAPC" is not valid' });
    expect(validatePostcodeRow(['WC1A 1AB', '1998', 'E01000919', 'E92000001'], columns)).toEqual({
      ok: false,
      reason: 'doterm "1998" is not a year and month (yyyymm)',
    });
    expect(validatePostcodeRow(['WC1A 1AB', '', 'E0100091', 'E92000001'], columns)).toEqual({ ok: false, reason: 'lsoa11 "E0100091" is not an ONS area code' });
    expect(validatePostcodeRow(['WC1A 1AB', '', 'E01000919', 'X1'], columns)).toEqual({ ok: false, reason: 'ctry "X1" is not a UK country code' });
    const iod = detectLayout(
      [
        'lsoa_code',
        'lsoa_name',
        'imd_rank',
        'imd_decile',
        'income_decile',
        'employment_decile',
        'education_decile',
        'health_decile',
        'crime_decile',
        'housing_services_decile',
        'living_environment_decile',
      ],
      'iod2019_lsoa11.csv',
    );
    expect(iod).toMatchObject({ kind: 'iod', edition: 'IoD2019' });
    if (iod.kind !== 'iod') throw new Error('not iod');
    expect(validateIodRow('E01000919,Camden 028D,12962,4,5,5,7,7,2,4,1'.split(','), iod.columns)).toMatchObject({
      ok: true,
      row: { rank: 12962, decile: 4, domains: { income: 5, livingEnvironment: 1 } },
    });
    expect(validateIodRow('E01000919,Camden 028D,12962,11,5,5,7,7,2,4,1'.split(','), iod.columns)).toEqual({
      ok: false,
      reason: 'IMD decile 11 is outside 1–10',
    });
  });
});
