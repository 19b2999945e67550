import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvField, toCsv } from '../../src-main/core/csv.ts';

describe('toCsv', () => {
  it('quotes per RFC 4180 and round-trips through a real CSV parser', () => {
    const rows = [
      ['PR1 2', 12, 'Says "hi", then leaves'],
      ['multi\nline', 0, null],
      ['Café, Ltd', 3.5, true],
    ];
    const text = toCsv(['sector', 'people', 'note'], rows);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')[1]).toBe('PR1 2,12,"Says ""hi"", then leaves"');
    expect(parse(text, { columns: false })).toEqual([
      ['sector', 'people', 'note'],
      ['PR1 2', '12', 'Says "hi", then leaves'],
      ['multi\nline', '0', ''],
      ['Café, Ltd', '3.5', 'true'],
    ]);
  });

  it('defuses spreadsheet formulas in text but leaves negative numbers alone', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-3)).toBe('-3');
    expect(csvField('=1', false)).toBe('=1');
  });

  it('refuses ragged rows and adds a byte order mark on request', () => {
    expect(() => toCsv(['a', 'b'], [['x']])).toThrow(/row 1 has 1 cells but the header has 2/);
    expect(toCsv(['a'], [], { byteOrderMark: true })).toBe('\uFEFFa\r\n');
  });
});
