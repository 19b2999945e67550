import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src-main/core/demo.ts';
import { addToCellKey, cellKeyPolicy, nhsEnglandPolicy, PTABLE, ptableNoise } from '../../src-main/core/bundle/disclosure.ts';
import { tableCells } from '../../src-main/core/bundle/schema.ts';
import { buildTables, decileBand, type PresentationRow, type TableUniverse } from '../../src-main/core/bundle/tables.ts';

const UNIVERSE: TableUniverse = { months: ['2026-01', '2026-02', '2026-03'], categories: ['housing', 'money-debt'], issues: ['HOU-ARREARS', 'debt-general'] };

describe('the cell-key perturbation table', () => {
  it('has rows of 256 keys with exactly zero mean and never takes a count below zero', () => {
    for (const row of PTABLE) {
      expect(row.noise.reduce((n, e) => n + e.keys, 0)).toBe(256);
      expect(row.noise.reduce((n, e) => n + e.noise * e.keys, 0)).toBe(0);
      expect(Math.min(...row.noise.map((e) => row.min + e.noise))).toBeGreaterThanOrEqual(0);
    }
  });

  it('keeps zeros at zero, never publishes 1–3 exactly, and is zero-mean for every count', () => {
    for (let key = 0; key < 256; key++) expect(ptableNoise(0, key)).toBe(0);
    for (let value = 1; value <= 200; value++) {
      let sum = 0;
      for (let key = 0; key < 256; key++) {
        const noise = ptableNoise(value, key);
        if (value <= 3) expect(noise).not.toBe(0);
        expect(value + noise).toBeGreaterThanOrEqual(0);
        sum += noise;
      }
      expect(sum, `value ${value}`).toBe(0);
    }
  });

  it('is zero-mean over many cells made of random record keys, with variance about 1', () => {
    const rand = seededRandom(42);
    let sum = 0;
    let squares = 0;
    const cells = 200_000;
    for (let c = 0; c < cells; c++) {
      const size = 4 + Math.floor(rand() * 40);
      let cellKey = 0;
      for (let r = 0; r < size; r++) cellKey = addToCellKey(cellKey, Math.floor(rand() * 2 ** 31));
      const published = cellKeyPolicy.protect({ value: size, cellKey });
      if (published === 'suppressed') throw new Error('cell-key never suppresses');
      const noise = published - size;
      sum += noise;
      squares += noise * noise;
    }
    // Standard error of the mean is 1/sqrt(200000) ≈ 0.0022.
    expect(Math.abs(sum / cells)).toBeLessThan(0.01);
    expect(squares / cells).toBeGreaterThan(0.95);
    expect(squares / cells).toBeLessThan(1.05);
  });

  it('gives the same cell (the same people) the same noise in every table', () => {
    const rows: PresentationRow[] = [11, 22, 33, 44, 55].map((clientId) => ({
      clientId,
      recordKey: clientId * 7919,
      month: '2026-01',
      sector: 'PR1 2',
      district: 'PR1',
      imdDecile: 2,
      imdEdition: 'IoD2025',
      issueCode: 'HOU-ARREARS',
      category: 'housing',
    }));
    const tables = buildTables(rows, [], cellKeyPolicy, UNIVERSE);
    // Every table has one cell holding the same five people (all other cells are 0): the same published people count.
    const held = tables.slice(0, 4).map((t) => [...tableCells(t)].filter((c) => c.people !== 0).map((c) => c.people));
    expect(held.map((h) => h.length)).toEqual([1, 1, 1, 1]);
    expect(new Set(held.map((h) => h[0])).size).toBe(1);
  });
});

describe('the NHS England rule', () => {
  it('suppresses 1–7, rounds the rest to the nearest 5, keeps 0', () => {
    const p = (value: number) => nhsEnglandPolicy.protect({ value, cellKey: 0 });
    expect(p(0)).toBe(0);
    for (let v = 1; v <= 7; v++) expect(p(v)).toBe('suppressed');
    expect(p(8)).toBe(10);
    expect(p(12)).toBe(10);
    expect(p(13)).toBe(15);
    expect(p(102)).toBe(100);
  });

  it('computes totals from the unrounded figures, then rounds them', () => {
    // Three sectors of three people each: every cell suppressed, the total (9) published as 10.
    const rows: PresentationRow[] = [];
    for (const [s, sector] of ['A1 1', 'A1 2', 'A1 3'].entries()) {
      for (let i = 0; i < 3; i++) {
        rows.push({
          clientId: s * 10 + i,
          recordKey: i,
          month: '2026-02',
          sector,
          district: 'A1',
          imdDecile: null,
          imdEdition: null,
          issueCode: 'HOU-ARREARS',
          category: 'housing',
        });
      }
    }
    const [bySector] = buildTables(rows, [], nhsEnglandPolicy, { ...UNIVERSE, months: ['2026-02'] });
    const housing = [...tableCells(bySector!)].filter((c) => c.key[2] === 'housing' && c.key[0] !== 'unknown');
    expect(housing.map((c) => c.people)).toEqual(['suppressed', 'suppressed', 'suppressed']);
    expect(bySector!.totals).toEqual({ people: [10], presentations: [10] });
  });
});

describe('deprivation bands', () => {
  it('pairs deciles with the edition they come from, and names the unknown', () => {
    expect([1, 2, 3, 10, null, 0, 11].map((d) => decileBand(d, 'IoD2025'))).toEqual([
      'iod2025:1-2',
      'iod2025:1-2',
      'iod2025:3-4',
      'iod2025:9-10',
      'unknown',
      'unknown',
      'unknown',
    ]);
    expect(decileBand(4, 'IoD2019')).toBe('iod2019:3-4');
    // A decile whose edition is not recorded cannot be put in either edition's band.
    expect(decileBand(4, null)).toBe('unknown');
  });
});
