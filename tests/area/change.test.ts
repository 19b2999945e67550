import { describe, expect, it } from 'vitest';
import { binomialTwoSidedP, compareRates, scanChanges, verdict } from '../../src-main/core/area/change.ts';
import { importBundleBytes } from '../../src-main/db/area/import.ts';
import { addEvent, compareAroundEvent, recentChanges } from '../../src-main/db/area/queries.ts';
import { trustKey } from '../../src-main/db/area/trust.ts';
import { bundleOf, constructedRows, lastMonths, newKey, tempArea, importOptions } from './fixtures.ts';

describe('the exact conditional test for two Poisson rates', () => {
  it('matches known binomial test values', () => {
    // binom.test(10, 10, 0.5) in R: p = 2 / 1024.
    expect(binomialTwoSidedP(10, 10, 0.5)).toBeCloseTo(2 / 1024, 12);
    // binom.test(7, 20, 0.5): p = 0.2631760.
    expect(binomialTwoSidedP(7, 20, 0.5)).toBeCloseTo(0.263176, 6);
    // Asymmetric case, checked with exact fractions (sum of outcomes no more likely than 3): 0.0590429666.
    expect(binomialTwoSidedP(3, 30, 0.25)).toBeCloseTo(0.0590429666, 9);
    expect(binomialTwoSidedP(0, 0, 0.5)).toBe(1);
  });

  it('finds a known step significant and a flat series not', () => {
    const step = compareRates(3 * 40, 3 * 58, 3, 3);
    expect(step.change).toBeCloseTo(0.45, 10);
    expect(step.pValue).toBeLessThan(0.05);
    const flat = compareRates(41 + 39 + 40, 40 + 42 + 38, 3, 3);
    expect(flat.change).toBe(0);
    expect(flat.pValue).toBeGreaterThan(0.5);
    expect(verdict('Money & debt', 'PR1 2', step)).toMatch(
      /^Money & debt presentations in PR1 2 rose 45% in the 3 months after \(120 before, 174 after\), unlikely to be chance \(p=0\.00\d\)$/,
    );
    expect(verdict('Housing', 'PR1 2', flat)).toMatch(/stayed about the same .* could well be chance \(p=1\.00\)/);
    expect(verdict('Housing', 'PR1 2', compareRates(50, 30, 3, 3))).toMatch(/fell 40%/);
  });

  it('scans for the largest recent changes, skipping series too small to judge', () => {
    const months = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];
    const series = [
      { sector: 'PR1 2', category: 'money-debt', points: months.map((month, i) => ({ month, count: i < 3 ? 20 : 40 })) },
      { sector: 'PR1 3', category: 'housing', points: months.map((month) => ({ month, count: 30 })) },
      { sector: 'PR1 4', category: 'housing', points: months.map((month, i) => ({ month, count: i < 3 ? 0 : 2 })) },
    ];
    const found = scanChanges(series, months, { window: 3, minTotal: 10 });
    expect(found.map((f) => f.sector)).toEqual(['PR1 2', 'PR1 3']);
    expect(found[0]!.change).toBeCloseTo(1, 10);
    expect(found[0]!.pValue).toBeLessThan(0.001);
  });
});

describe('events in the area database', () => {
  it('compares the months before and after an event, counting only organisations present throughout', async () => {
    const area = tempArea();
    const months = lastMonths(7);
    // Event in the middle month; three months either side. Money & debt steps up, housing does not.
    const eventMonth = months[3]!;
    const steady = constructedRows('PR1 2', 'housing', 'HOU-ARREARS', months, [50, 52, 48, 50, 49, 51, 50]);
    const stepped = constructedRows('PR1 2', 'money-debt', 'MON-PRIORITY-DEBT', months, [40, 42, 38, 45, 70, 75, 72]).map((r) => ({
      ...r,
      clientId: r.clientId + 10_000,
    }));
    const key = newKey();
    trustKey(area.db, { publicKeyPem: key.publicKeyPem });
    const b = await bundleOf({
      org: { id: 'org-a', name: 'A' },
      key,
      from: months[0]!,
      to: months[6]!,
      sequence: 1,
      rows: { presentations: [...steady, ...stepped], outcomes: [] },
    });
    expect((await importBundleBytes(area, 'a', b.file, importOptions)).outcome).toBe('accepted');
    const labels = { 'money-debt': 'Money & debt', housing: 'Housing' };
    const early = addEvent(area, { date: `${eventMonth}-14`, title: 'Large employer closed', sectors: ['PR1 2'] });
    // With one organisation reporting throughout, the comparison reads the combined cube.
    const fromCube = compareAroundEvent(area, early.id, { months: 3, categoryLabels: labels });
    // A newcomer reporting only the last month must not make need look higher after the event.
    const late = newKey();
    trustKey(area.db, { publicKeyPem: late.publicKeyPem });
    const newcomer = await bundleOf({
      org: { id: 'org-new', name: 'New' },
      key: late,
      from: months[6]!,
      to: months[6]!,
      sequence: 1,
      rows: { presentations: constructedRows('PR1 2', 'housing', 'HOU-ARREARS', [months[6]!], [500]), outcomes: [] },
    });
    expect((await importBundleBytes(area, 'n', newcomer.file, importOptions)).outcome).toBe('accepted');

    const event = addEvent(area, { date: `${eventMonth}-14`, title: 'Large employer closed', sectors: ['PR1 2'] });
    const report = compareAroundEvent(area, event.id, { months: 3, categoryLabels: { 'money-debt': 'Money & debt', housing: 'Housing' } });
    expect(report.monthsBefore).toEqual(months.slice(0, 3));
    expect(report.monthsAfter).toEqual(months.slice(4, 7));
    expect(report.organisations).toEqual(['org-a']);
    // …and with the newcomer, from org-a's own cells: the same figures.
    expect(report.comparisons).toEqual(fromCube.comparisons);
    const money = report.comparisons.find((c) => c.category === 'money-debt')!;
    const housing = report.comparisons.find((c) => c.category === 'housing')!;
    // The cell-key policy moves each cell by at most 2.
    expect(Math.abs(money.before - 120)).toBeLessThanOrEqual(6);
    expect(Math.abs(money.after - 217)).toBeLessThanOrEqual(6);
    expect(money.pValue).toBeLessThan(0.001);
    expect(money.verdict).toMatch(/^Money & debt presentations in PR1 2 rose \d+% in the 3 months after .* unlikely to be chance/);
    expect(Math.abs(housing.before - 150)).toBeLessThanOrEqual(6);
    expect(housing.pValue).toBeGreaterThan(0.05);
    expect(housing.verdict).toMatch(/could well be chance/);

    const changes = recentChanges(area, { window: 3 });
    expect(changes[0]).toMatchObject({ sector: 'PR1 2', category: 'money-debt' });
  });
});
