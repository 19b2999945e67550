/**
 * Events and the change scan over a real area database filled with real signed bundles: the
 * seasonal baseline and comparison sectors, organisations counted only when they report
 * throughout, the false discovery control in the scan and its count of what it tested.
 */
import poisson from '@stdlib/random-base-poisson';
import { describe, expect, it } from 'vitest';
import type { PresentationRow } from '../../src-main/core/bundle/tables.ts';
import { recentChanges } from '../../src-main/db/area/change-scan.ts';
import { addEvent, compareAroundEvent } from '../../src-main/db/area/events.ts';
import { importBundleBytes } from '../../src-main/db/area/import.ts';
import { trustKey } from '../../src-main/db/area/trust.ts';
import { bundleOf, constructedRows, lastMonths, newKey, tempArea, importOptions } from './fixtures.ts';

/** A winter peak: ×1.5 in January, ×0.5 in July. */
function season(month: string): number {
  return 1 + 0.5 * Math.cos((2 * Math.PI * (Number(month.slice(5, 7)) - 1)) / 12);
}

/**
 * Rows for several sectors × categories; `mean(sector, category, month, i)` gives each month's
 * expected count: money & debt counts are Poisson draws, housing counts are exactly the seasonal
 * pattern (so the check that the season is not called a change cannot fail by bad luck).
 */
function rowsFor(sectors: string[], months: string[], mean: (sector: string, category: string, month: string, i: number) => number): PresentationRow[] {
  const draw = poisson.factory({ seed: 1402 });
  const rows: PresentationRow[] = [];
  let offset = 0;
  for (const sector of sectors) {
    for (const [category, issue] of [
      ['money-debt', 'MON-PRIORITY-DEBT'],
      ['housing', 'HOU-ARREARS'],
    ] as const) {
      const made = constructedRows(
        sector,
        category,
        issue,
        months,
        months.map((m, i) => (category === 'housing' ? Math.round(mean(sector, category, m, i)) : draw(mean(sector, category, m, i)))),
      ).map((r) => ({ ...r, clientId: r.clientId + offset }));
      offset += made.length + 1;
      rows.push(...made);
    }
  }
  return rows;
}

async function areaWithStep() {
  const area = tempArea();
  const months = lastMonths(19);
  // Money & debt in PR1 2 rises by 80% from months[16]; housing has a strong season everywhere and no step.
  const rows = rowsFor(['PR1 2', 'PR1 3', 'PR1 4', 'PR1 5'], months, (sector, category, month, i) =>
    category === 'housing' ? 40 * season(month) : 40 * (sector === 'PR1 2' && i >= 16 ? 1.8 : 1),
  );
  const key = newKey();
  trustKey(area.db, { publicKeyPem: key.publicKeyPem });
  const b = await bundleOf({
    org: { id: 'org-a', name: 'A' },
    key,
    from: months[0]!,
    to: months[18]!,
    sequence: 1,
    rows: { presentations: rows, outcomes: [] },
  });
  expect((await importBundleBytes(area, 'a', b.file, importOptions)).outcome).toBe('accepted');
  return { area, months };
}

describe('events: change against a seasonal baseline and comparison sectors', () => {
  it('finds the step against both baselines, and does not call the season a change', async () => {
    const { area, months } = await areaWithStep();
    const event = addEvent(area, { date: `${months[15]}-14`, title: 'Large employer closed', sectors: ['PR1 2'] });
    const labels = { 'money-debt': 'Money & debt', housing: 'Housing' };
    const report = compareAroundEvent(area, event.id, { months: 3, categoryLabels: labels });
    expect(report.monthsBefore).toEqual(months.slice(12, 15));
    expect(report.monthsAfter).toEqual(months.slice(16, 19));
    const [seasonal, sectors] = report.baselines;
    expect(seasonal!.kind).toBe('year-earlier');
    expect(seasonal!.baselinePeriodsBefore).toEqual(months.slice(0, 3));
    expect(seasonal!.baselinePeriodsAfter).toEqual(months.slice(4, 7));
    expect(sectors!.kind).toBe('comparison-sectors');
    expect(sectors!.comparisonSectors).toEqual(['PR1 3', 'PR1 4', 'PR1 5']);
    for (const b of [seasonal!, sectors!]) {
      expect(b.organisations).toEqual(['org-a']);
      expect(b.tested).toBe(2);
      const money = b.comparisons.find((c) => c.key === 'money-debt')!;
      const housing = b.comparisons.find((c) => c.key === 'housing')!;
      expect(money.qValue!).toBeLessThan(0.05);
      expect(money.lower!).toBeGreaterThan(1.2);
      expect(money.lower!).toBeLessThan(1.8);
      expect(money.upper!).toBeGreaterThan(1.8);
      expect(money.verdict).toMatch(/^Money & debt presentations in PR1 2 went from \d+ to \d+ \(\+\d+%\) in the 3 months after it, while in /);
      expect(money.verdict).toMatch(/coincided with Large employer closed/);
      expect(housing.qValue!).toBeGreaterThan(0.05);
      expect(housing.verdict).toMatch(/Chance variation could easily give a difference like this/);
      for (const c of b.comparisons) expect(c.verdict).not.toMatch(/\bcaused\b|because of/);
    }
  });

  it('counts only organisations reporting throughout, and says when there is no seasonal baseline', async () => {
    const { area, months } = await areaWithStep();
    const event = addEvent(area, { date: `${months[15]}-14`, title: 'Closure', sectors: ['PR1 2'] });
    const before = compareAroundEvent(area, event.id, { months: 3 });
    const late = newKey();
    trustKey(area.db, { publicKeyPem: late.publicKeyPem });
    const newcomer = await bundleOf({
      org: { id: 'org-new', name: 'New' },
      key: late,
      from: months[18]!,
      to: months[18]!,
      sequence: 1,
      rows: { presentations: constructedRows('PR1 2', 'money-debt', 'MON-PRIORITY-DEBT', [months[18]!], [500]), outcomes: [] },
    });
    expect((await importBundleBytes(area, 'n', newcomer.file, importOptions)).outcome).toBe('accepted');
    const after = compareAroundEvent(area, event.id, { months: 3 });
    expect(after.baselines).toEqual(before.baselines);

    // Six months either side reach back before the data starts for the year-earlier months.
    const wide = compareAroundEvent(area, event.id, { months: 6 });
    expect(wide.baselines[0]!.note).toMatch(/no data for some of the same months a year earlier/);
    expect(wide.baselines[0]!.tested).toBe(0);
    const wholeArea = addEvent(area, { date: `${months[15]}-14`, title: 'Benefit change', sectors: null });
    expect(compareAroundEvent(area, wholeArea.id).baselines[1]!.note).toMatch(/whole area, so there are no sectors outside it/);
  });
});

describe('the change scan', () => {
  it('tests every sector × category against the same months a year earlier, controls false discoveries and says how many it tested', async () => {
    const { area, months } = await areaWithStep();
    const scan = recentChanges(area, { window: 3 });
    expect(scan.baseline).toBe('year-earlier');
    expect(scan.monthsAfter).toEqual(months.slice(16, 19));
    expect(scan.tested).toBe(8);
    expect(scan.discoveries).toBe(1);
    expect(scan.changes[0]).toMatchObject({ sector: 'PR1 2', category: 'money-debt', reading: 'rose more than the baseline' });
    expect(scan.changes.filter((c) => c.category === 'housing').every((c) => c.qValue! >= 0.05)).toBe(true);
    // q-values are never below p-values.
    for (const c of scan.changes) expect(c.qValue!).toBeGreaterThanOrEqual(c.pValue!);
  });

  it('without a year of data, tests each sector against the rest of the area over the same months', async () => {
    const area = tempArea();
    const months = lastMonths(6);
    // Money & debt in PR1 2 doubles in the last three months; every other series (and the season, shared) stays level.
    const rows = rowsFor(['PR1 2', 'PR1 3', 'PR1 4', 'PR1 5'], months, (sector, category, _m, i) =>
      category === 'housing' ? 40 : 40 * (sector === 'PR1 2' && i >= 3 ? 2 : 1),
    );
    const key = newKey();
    trustKey(area.db, { publicKeyPem: key.publicKeyPem });
    const b = await bundleOf({
      org: { id: 'org-a', name: 'A' },
      key,
      from: months[0]!,
      to: months[5]!,
      sequence: 1,
      rows: { presentations: rows, outcomes: [] },
    });
    expect((await importBundleBytes(area, 'a', b.file, importOptions)).outcome).toBe('accepted');
    const scan = recentChanges(area, { window: 3 });
    expect(scan.baseline).toBe('rest-of-area');
    expect(scan.baselineWhy).toMatch(/against the rest of the area/);
    expect(scan.tested).toBe(8);
    const first = scan.changes[0]!;
    expect(first).toMatchObject({ sector: 'PR1 2', category: 'money-debt', reading: 'rose more than the baseline' });
    // The rest of the area is the other three sectors: about 3 × 120 before and after.
    expect(Math.abs(first.baselineBefore - 360)).toBeLessThan(60);
    expect(first.qValue!).toBeLessThan(0.05);
  });
});
